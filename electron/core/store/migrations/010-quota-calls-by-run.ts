/**
 * The run log counts each run's calls from the quota ledger (runs-repo RUN_COLUMNS: a call sent whose answer never came
 * counts too): looked up by run, so listing the log stays quick however long the ledger grows.
 */
export default {
  name: 'quota-calls-by-run',
  sql: `
CREATE INDEX quota_calls_by_run ON quota_calls (run_id);
`,
};
