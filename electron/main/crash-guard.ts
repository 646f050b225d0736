/**
 * The last line of defence in the main process: an exception nobody caught or a promise rejection nobody
 * handled is logged and the app keeps running (the tray and its schedule stay up). Node's default would end
 * the process for both, silently stopping every scheduled sync.
 *
 * The log line carries no message (it may hold a value the user typed, a file's contents or a token): the
 * error's name and its stack frames only, and anything token-like left in those is masked.
 */

/**
 * Long runs of a token's alphabet that hold a digit (access tokens, secrets, hashes, JWT parts); long
 * identifiers in stack frames (processTicksAndRejections) have none. Path separators and dots end a run, so
 * file paths stay readable.
 */
const TOKEN_LIKE = /[A-Za-z0-9_\-+=]{24,}/g;
const SECRET_PARAM = /((?:access_?token|refresh_?token|secret|password|auth_code|code|token)[=:]\s*)[^\s&"')]+/gi;

/** Masks token-like strings in one line of a log. */
export function redactLine(line: string): string {
  return line.replace(SECRET_PARAM, '$1[redacted]').replace(TOKEN_LIKE, (run) => (/\d/.test(run) ? '[redacted]' : run));
}

/** One log entry for a failure: where, the error's name and up to 8 stack frames; never its message. */
export function describeFailure(where: string, err: unknown): string {
  const name = err instanceof Error ? err.name : typeof err;
  const frames =
    err instanceof Error && err.stack
      ? err.stack
          .split('\n')
          .filter((l) => l.trimStart().startsWith('at '))
          .slice(0, 8)
          .map(redactLine)
          .join('\n')
      : '';
  return `[cohort-relay] ${where} failed: ${redactLine(name)}${frames ? `\n${frames}` : ''}`;
}

/** The part of `process` the guard uses (a stand-in in tests). */
export interface ProcessEvents {
  on(event: 'uncaughtException', listener: (err: unknown) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

/**
 * Installs the handlers. Having an 'uncaughtException' listener is what keeps Node (and Electron's main
 * process) from exiting; the listeners themselves never throw.
 */
export function installCrashGuard(proc: ProcessEvents, log: (line: string) => void = (l) => console.error(l)): void {
  const report = (where: string, err: unknown) => {
    try {
      log(describeFailure(where, err));
    } catch {
      // Logging must not become a second uncaught exception.
    }
  };
  proc.on('uncaughtException', (err) => report('uncaught exception', err));
  proc.on('unhandledRejection', (reason) => report('unhandled rejection', reason));
}
