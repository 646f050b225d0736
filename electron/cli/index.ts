/**
 * The CLI's launcher: kept to Node's own modules and huge-pages.ts, so that deciding costs nothing before the CLI
 * itself (run.ts, a bundle of its own) loads. A `plan` or `sync` of a large file on Linux starts again with glibc's
 * huge-page setting (huge-pages.ts says why); every other command runs at once in this process.
 */
import { spawn } from 'node:child_process';
import { hugePagesEnv } from './huge-pages';

/** The CLI proper, beside this file (out/cli/run.js when built; run.ts under tsx). Not bundled into the launcher. */
const CLI_MODULE = './run.js';

function runHere(): void {
  void import(CLI_MODULE);
}

function relaunch(env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], { stdio: 'inherit', env });
  // The second process does the work and handles Ctrl-C (it tolerates hearing a signal twice: from the terminal and
  // from here). This one only passes on a signal sent to it alone, and ends as the second one ends.
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handlers = signals.map((sig) => [sig, forward(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  let started = false;
  child.once('spawn', () => (started = true));
  child.once('error', (err) => {
    for (const [sig, h] of handlers) process.off(sig, h);
    // Could not start a second process: do the work here, on ordinary pages.
    if (!started) runHere();
    else process.stderr.write(`error: ${err.message}\n`);
  });
  child.once('exit', (code, signal) => {
    for (const [sig, h] of handlers) process.off(sig, h);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

const env = hugePagesEnv(process.argv.slice(2), process.env);
if (env) relaunch(env);
else runHere();
