/**
 * Whether an audience's file has a header row (#12 item 2): NULL lets the reader judge it from the file (the default);
 * 0 / 1 is the user's own answer in the wizard ("No — the first row is data"), so scheduled syncs read the file the
 * way the user saw it.
 */
export default {
  name: 'has-header',
  sql: `
ALTER TABLE audiences ADD COLUMN has_header INTEGER CHECK (has_header IS NULL OR has_header IN (0, 1));
`,
};
