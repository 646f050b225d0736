/**
 * Which keychain adapter holds each connection's secrets (never the secrets themselves): a token saved
 * through keytar is read back through keytar after a restart, one saved through @napi-rs/keyring through
 * that, even when both could load. No foreign key: the secret is written before its connection row.
 */
export default {
  name: 'secret-locations',
  sql: `
CREATE TABLE secret_locations (
  connection_id TEXT PRIMARY KEY,
  adapter TEXT NOT NULL CHECK (adapter IN ('keytar', 'napi-keyring')),
  updated_at TEXT NOT NULL
) STRICT;
`,
};
