/**
 * Chunked blobs (snapshots, pending changes, undo deltas) are written under a generation number (issue #13 §1): a
 * new version is written in many small transactions beside the current one, and the commit only moves a pointer
 * (snapshot_meta.generation, pending_heads, run_delta_heads) — so a crash at any instant leaves the old version
 * current, and no single transaction writes or securely deletes a whole snapshot. Chunks no pointer names are
 * orphans (a crash between slices, or an old version not yet deleted): deleted in small slices under the
 * audience's lock. Generation 0 is what existed before this migration; chunk_generations hands out the rest.
 */
export default {
  name: 'chunk-generations',
  sql: `
CREATE TABLE chunk_generations (id INTEGER PRIMARY KEY AUTOINCREMENT) STRICT;

CREATE TABLE snapshot_chunks_next (
  audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
  generation INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (audience_id, generation, seq)
) STRICT;
INSERT INTO snapshot_chunks_next (audience_id, generation, seq, data) SELECT audience_id, 0, seq, data FROM snapshot_chunks;
DROP TABLE snapshot_chunks;
ALTER TABLE snapshot_chunks_next RENAME TO snapshot_chunks;
ALTER TABLE snapshot_meta ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;

CREATE TABLE pending_changes_next (
  audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
  generation INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (audience_id, kind, generation, seq)
) STRICT;
INSERT INTO pending_changes_next (audience_id, kind, generation, seq, data) SELECT audience_id, kind, 0, seq, data FROM pending_changes;
DROP TABLE pending_changes;
ALTER TABLE pending_changes_next RENAME TO pending_changes;
CREATE TABLE pending_heads (
  audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
  generation INTEGER NOT NULL,
  PRIMARY KEY (audience_id, kind)
) STRICT;
INSERT INTO pending_heads (audience_id, kind, generation) SELECT DISTINCT audience_id, kind, 0 FROM pending_changes;

CREATE TABLE run_deltas_next (
  run_id INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
  generation INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, kind, generation, seq)
) STRICT;
INSERT INTO run_deltas_next (run_id, kind, generation, seq, data) SELECT run_id, kind, 0, seq, data FROM run_deltas;
DROP TABLE run_deltas;
ALTER TABLE run_deltas_next RENAME TO run_deltas;
CREATE TABLE run_delta_heads (
  run_id INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
  generation INTEGER NOT NULL,
  PRIMARY KEY (run_id, kind)
) STRICT;
INSERT INTO run_delta_heads (run_id, kind, generation) SELECT DISTINCT run_id, kind, 0 FROM run_deltas;
`,
};
