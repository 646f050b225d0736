/**
 * The first schema. Never edit a shipped migration: its hash is stored and checked at every start.
 * Nothing here ever holds a token or a raw identifier: snapshots are 32-byte SHA-256 digests.
 */
export default {
  name: 'initial',
  sql: `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value_json TEXT NOT NULL
) STRICT;

CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('oauth', 'token', 'sandbox')),
  app_id TEXT,
  api_base TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'needs_reconnect')),
  status_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_checked_at TEXT
) STRICT;

CREATE TABLE advertisers (
  connection_id TEXT NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  advertiser_id TEXT NOT NULL,
  name TEXT NOT NULL,
  PRIMARY KEY (connection_id, advertiser_id)
) STRICT;

CREATE TABLE audiences (
  id INTEGER PRIMARY KEY,
  connection_id TEXT,
  advertiser_id TEXT NOT NULL,
  tiktok_audience_id TEXT,
  name TEXT NOT NULL,
  api TEXT NOT NULL DEFAULT 'file' CHECK (api IN ('file', 'segment')),
  keys_json TEXT NOT NULL,
  calculate_type TEXT NOT NULL,
  source_kind TEXT NOT NULL DEFAULT 'file' CHECK (source_kind IN ('file', 'folder')),
  source_path TEXT,
  source_pattern TEXT,
  suppress_path TEXT,
  profile_json TEXT NOT NULL,
  cadence_json TEXT NOT NULL DEFAULT '{"kind":"manual"}',
  paused INTEGER NOT NULL DEFAULT 0,
  schedule_last_slot TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (advertiser_id, tiktok_audience_id)
) STRICT;
CREATE INDEX audiences_by_name ON audiences (advertiser_id, name);

-- The membership TikTok last acknowledged, as sorted fixed-width entries split into chunks, so a
-- 5 M-hash snapshot is ~160 chunks instead of 5 M rows. Replaced whole, in one transaction.
CREATE TABLE snapshot_meta (
  audience_id INTEGER PRIMARY KEY REFERENCES audiences(id) ON DELETE CASCADE,
  entry_width INTEGER NOT NULL,
  entry_count INTEGER NOT NULL,
  digest TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE snapshot_chunks (
  audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (audience_id, seq)
) STRICT;

CREATE TABLE sync_runs (
  id INTEGER PRIMARY KEY,
  audience_id INTEGER REFERENCES audiences(id) ON DELETE SET NULL,
  trigger TEXT NOT NULL,
  status TEXT NOT NULL,
  dry_run INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  source_path TEXT,
  rows_read INTEGER NOT NULL DEFAULT 0,
  valid INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  adds INTEGER NOT NULL DEFAULT 0,
  removes INTEGER NOT NULL DEFAULT 0,
  calls_used INTEGER NOT NULL DEFAULT 0,
  reject_reasons_json TEXT NOT NULL DEFAULT '{}',
  deferred_until TEXT,
  error_code TEXT,
  error_message TEXT
) STRICT;
CREATE INDEX sync_runs_by_audience ON sync_runs (audience_id, id);

CREATE TABLE api_calls (
  id INTEGER PRIMARY KEY,
  run_id INTEGER REFERENCES sync_runs(id) ON DELETE CASCADE,
  audience_id INTEGER,
  endpoint TEXT NOT NULL,
  method TEXT NOT NULL,
  request_id TEXT,
  code INTEGER,
  http_status INTEGER,
  duration_ms INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  detail TEXT
) STRICT;
CREATE INDEX api_calls_by_run ON api_calls (run_id, id);

-- One row per audience-modifying call, written before it is sent. A day's use is the count of rows
-- that were not released; a row is released only when TikTok certainly did not receive the call.
CREATE TABLE quota_calls (
  id INTEGER PRIMARY KEY,
  audience_id INTEGER NOT NULL,
  utc_day TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('reserved', 'acked', 'failed', 'refused', 'released')),
  run_id INTEGER,
  entries INTEGER NOT NULL DEFAULT 0,
  request_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX quota_calls_by_day ON quota_calls (audience_id, utc_day);

-- Changes that may have reached TikTok without an acknowledgement (a lost answer, a crash, a run that
-- ended early): accumulated per audience and cleared only by a run that completes. The next run removes
-- everything that may be there and is not wanted, and appends everything wanted that may be missing.
CREATE TABLE pending_changes (
  audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (audience_id, kind, seq)
) STRICT;

-- What each acknowledged call changed, as hashes, so a run can be undone (inverse delta) or replayed.
CREATE TABLE run_deltas (
  run_id INTEGER NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('add', 'remove')),
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, kind, seq)
) STRICT;

-- Uploaded files by content: a resumed run re-uses a file_path instead of uploading the same bytes again.
CREATE TABLE upload_cache (
  advertiser_id TEXT NOT NULL,
  calculate_type TEXT NOT NULL,
  md5 TEXT NOT NULL,
  file_path TEXT NOT NULL,
  entries INTEGER NOT NULL,
  uploaded_at TEXT NOT NULL,
  PRIMARY KEY (advertiser_id, calculate_type, md5)
) STRICT;

-- One sync at a time per audience, across processes (app, daemon, CLI). A lock whose process is gone is free.
CREATE TABLE audience_locks (
  audience_id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  run_id INTEGER,
  acquired_at TEXT NOT NULL
) STRICT;

CREATE TABLE audience_status (
  id INTEGER PRIMARY KEY,
  audience_id INTEGER NOT NULL REFERENCES audiences(id) ON DELETE CASCADE,
  checked_at TEXT NOT NULL,
  cover_num INTEGER,
  is_valid INTEGER,
  is_expiring INTEGER,
  expired_time TEXT,
  local_size INTEGER,
  state TEXT NOT NULL,
  message TEXT
) STRICT;
CREATE INDEX audience_status_by_audience ON audience_status (audience_id, id);
`,
};
