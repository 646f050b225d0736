/**
 * Ownership-aware removal (#14 §2). Per audience, `removal_mode`:
 * - 'mirror': the audience is made to hold exactly the file (people not in it are removed, whoever added them);
 * - 'added-only': only people this app added are ever removed. The audience's snapshot then holds exactly the keys
 *   this app added and has not removed since (the people it owns); people uploaded by hand or by another tool are
 *   never sent in a REMOVE or overwritten by a REPLACE.
 * Audiences made before this keep what they did ('mirror'); an audience adopted from TikTok from now on defaults to
 * 'added-only' (the engine sets it). `others_size`: TikTok's matched size when the audience was adopted (the people
 * this app did not add), so the size shown and the 1,000 floor count them; NULL when unknown or not adopted.
 */
export default {
  name: 'removal-mode',
  sql: `
ALTER TABLE audiences ADD COLUMN removal_mode TEXT NOT NULL DEFAULT 'mirror' CHECK (removal_mode IN ('mirror', 'added-only'));
ALTER TABLE audiences ADD COLUMN others_size INTEGER CHECK (others_size IS NULL OR others_size >= 0);
`,
};
