import { runCli } from './main';

/** How long a command may take to stop after SIGINT / SIGTERM before the process exits anyway. */
const STOP_GRACE_MS = 15_000;

const controller = new AbortController();
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(sig, () => {
    controller.abort();
    // Work stops at the next cancellation point; something stuck in the OS (a hung network drive) must not keep
    // the command alive. Exiting is safe at any instant: every sync step is persisted before the next begins.
    setTimeout(() => {
      process.stderr.write(`Stopped by ${sig}: the command did not finish stopping within ${STOP_GRACE_MS / 1000} s, so it exits now; the next run resumes from what was saved.\n`);
      process.exit(code);
    }, STOP_GRACE_MS).unref();
  });
}
runCli(process.argv.slice(2), { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
