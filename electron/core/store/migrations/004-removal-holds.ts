/**
 * The safety net against removing people by mistake (a broken upstream export must never empty a live audience).
 * Per audience, `removal_limit_pct`: the largest share of its people one sync may remove without asking (default
 * 20 %; NULL switches the check off). A sync over it is held: `removal_holds` keeps the held plan — the cohort it
 * would leave the audience holding, as a digest, and the numbers shown — and what the user decided: confirmed
 * ("Sync anyway (once)", for exactly that cohort) or kept ("Keep audience as is").
 */
export default {
  name: 'removal-holds',
  sql: `
ALTER TABLE audiences ADD COLUMN removal_limit_pct INTEGER DEFAULT 20 CHECK (removal_limit_pct IS NULL OR removal_limit_pct BETWEEN 0 AND 100);
CREATE TABLE removal_holds (
  audience_id INTEGER PRIMARY KEY REFERENCES audiences(id) ON DELETE CASCADE,
  run_id INTEGER,
  target_digest TEXT NOT NULL,
  current_size INTEGER NOT NULL,
  adds INTEGER NOT NULL,
  removes INTEGER NOT NULL,
  limit_pct INTEGER NOT NULL,
  rows_read INTEGER NOT NULL,
  last_rows_read INTEGER,
  held_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('held', 'confirmed', 'kept')),
  decided_at TEXT
) STRICT;
`,
};
