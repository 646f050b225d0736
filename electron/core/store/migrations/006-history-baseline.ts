/**
 * Who else changed an audience, told by counting rather than by clocks. TikTok's history of an audience
 * (dmp/custom_audience/get, audience_history) has one entry per change; its opt_time carries no time zone, so it is
 * never compared with this computer's clock. Instead:
 * - `audiences.history_baseline`: how many changes to who is in the audience TikTok's history had that this app did
 *   not send and that are accounted for (the audience's history when it was adopted, or changes the user chose to
 *   keep). TikTok showing more than this plus the calls this app sent means someone else (another tool, or a lost
 *   database) changed the audience. NULL: not known yet, recorded at the next sync that can count. 0 for an audience
 *   this app has not created yet: its create is the first entry, and it is ours.
 * - `removal_holds.reason`: a held sync is held for its removals ('removals', the safety net) or because TikTok shows
 *   changes this app did not send ('membership': the user chooses a full replace or to keep syncing changes only);
 *   `foreign_changes` and `foreign_baseline` are that hold's count and the baseline "keep" records. `limit_pct`
 *   becomes nullable: a membership hold is made whether or not the audience has a removal limit.
 */
export default {
  name: 'history-baseline',
  sql: `
ALTER TABLE audiences ADD COLUMN history_baseline INTEGER CHECK (history_baseline IS NULL OR history_baseline >= 0);
UPDATE audiences SET history_baseline = 0 WHERE tiktok_audience_id IS NULL;
CREATE TABLE removal_holds_new (
  audience_id INTEGER PRIMARY KEY REFERENCES audiences(id) ON DELETE CASCADE,
  run_id INTEGER,
  reason TEXT NOT NULL DEFAULT 'removals' CHECK (reason IN ('removals', 'membership')),
  target_digest TEXT NOT NULL,
  current_size INTEGER NOT NULL,
  adds INTEGER NOT NULL,
  removes INTEGER NOT NULL,
  limit_pct INTEGER,
  rows_read INTEGER NOT NULL,
  last_rows_read INTEGER,
  foreign_changes INTEGER,
  foreign_baseline INTEGER,
  held_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('held', 'confirmed', 'kept')),
  decided_at TEXT
) STRICT;
INSERT INTO removal_holds_new (audience_id, run_id, reason, target_digest, current_size, adds, removes, limit_pct, rows_read, last_rows_read, held_at, state, decided_at)
  SELECT audience_id, run_id, 'removals', target_digest, current_size, adds, removes, limit_pct, rows_read, last_rows_read, held_at, state, decided_at FROM removal_holds;
DROP TABLE removal_holds;
ALTER TABLE removal_holds_new RENAME TO removal_holds;
`,
};
