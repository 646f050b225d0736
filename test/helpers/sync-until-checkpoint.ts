/**
 * A child process for crash tests: syncs one audience of the data folder through the engine, against the sandbox at
 * TIKTOK_API_BASE, and kills itself with SIGKILL the moment the sync reaches the named checkpoint (SyncDeps.checkpoint):
 * nothing after that point runs, as when the app dies there.
 *   node --import tsx test/helpers/sync-until-checkpoint.ts <dataDir> <audienceId> <checkpoint>
 */
import { CohortRelayApp } from '../../electron/core/app';

const [dataDir, audienceId, crashAt] = process.argv.slice(2);
const app = await CohortRelayApp.open({
  dataDir: dataDir!,
  env: { TIKTOK_ACCESS_TOKEN: process.env.TIKTOK_ACCESS_TOKEN, TIKTOK_API_BASE: process.env.TIKTOK_API_BASE, COHORT_RELAY_KEYCHAIN: 'off' },
  runner: {
    hashesPerFile: 400,
    filesPerCall: 5,
    sleep: async () => {},
    maxAttempts: 8,
    checkpoint: (at) => {
      if (at === crashAt) process.kill(process.pid, 'SIGKILL');
    },
  },
});
const outcome = await app.sync.sync(Number(audienceId), 'cli');
app.close();
process.stdout.write(`${JSON.stringify({ status: outcome.status })}\n`);
