import { runCli } from './main';

/** How long a command may take to stop after SIGINT / SIGTERM before the process exits anyway. */
const STOP_GRACE_MS = 15_000;

// A reader that stops reading (`cohort-relay runs | head -1`) closes stdout: the command ends quietly with exit 0, as
// `git log | head` does, never with a stack trace. Exiting at once is safe (see below). A closed stderr alone is ignored.
const closedPipe = (err: NodeJS.ErrnoException) => err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (closedPipe(err)) process.exit(0);
  process.stderr.write(`error: could not write the output (${err.code ?? err.message}).\n`);
  process.exit(1);
});
process.stderr.on('error', () => undefined);

const controller = new AbortController();
/** A second signal this soon after the first is the same request heard twice (the terminal's and the launcher's). */
const ECHO_MS = 1000;
let stopAsked = 0;
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(sig, () => {
    if (stopAsked) {
      // Asked again, later: stop now (what a second Ctrl-C always did).
      if (Date.now() - stopAsked >= ECHO_MS) process.exit(code);
      return;
    }
    stopAsked = Date.now();
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
