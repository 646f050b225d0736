/**
 * One audience creation at a time per ad account and name, across processes (app, daemon, CLI): two first syncs
 * of the same new name must not each create a TikTok audience. A lock whose process is gone is free (as
 * audience_locks).
 */
export default {
  name: 'create-locks',
  sql: `
CREATE TABLE create_locks (
  advertiser_id TEXT NOT NULL,
  name TEXT NOT NULL,
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  acquired_at TEXT NOT NULL,
  PRIMARY KEY (advertiser_id, name)
) STRICT;
`,
};
