import { parseArgs } from 'node:util';
import { AppError, toErrorShape, describeError } from '../../shared/errors';
import type { CliCommand, CliContext } from './command';
import { safeOutput } from './safe-output';

/** Commands load lazily so `cohort-relay --help` and each command start fast. */
const COMMANDS: Record<string, () => Promise<{ default: CliCommand }>> = {
  plan: () => import('./commands/plan'),
  sandbox: () => import('./commands/sandbox'),
  login: () => import('./commands/login'),
  accounts: () => import('./commands/accounts'),
  logout: () => import('./commands/logout'),
  sync: () => import('./commands/sync'),
  status: () => import('./commands/status'),
  runs: () => import('./commands/runs'),
  schedule: () => import('./commands/schedule'),
  undo: () => import('./commands/undo'),
  delete: () => import('./commands/delete'),
  use: () => import('./commands/use'),
  removals: () => import('./commands/removals'),
  overlap: () => import('./commands/overlap'),
  daemon: () => import('./commands/daemon'),
  start: () => import('./commands/start'),
  recover: () => import('./commands/recover'),
  erase: () => import('./commands/erase'),
};

export interface RunCliOptions {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs `cohort-relay <argv...>` and resolves to the exit code. Never throws. */
export async function runCli(argv: string[], opts: RunCliOptions = {}): Promise<number> {
  // Everything printed goes through safeOutput: file names, column names and cells come from files.
  const stdout = safeOutput(opts.stdout ?? process.stdout);
  const stderr = safeOutput(opts.stderr ?? process.stderr);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    stdout.write(await helpText());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    stderr.write(`error: unknown command "${name}". Run "cohort-relay --help" for the list of commands.\n`);
    return 2;
  }
  const command = (await load()).default;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (err) {
    stderr.write(`error: ${(err as Error).message.split('\n')[0]}. Usage: ${command.usage}\n`);
    return 2;
  }
  if (parsed.values.help) {
    stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  const ctx: CliContext = {
    values: parsed.values as CliContext['values'],
    positionals: parsed.positionals,
    stdout,
    stderr,
    stdin: opts.stdin ?? process.stdin,
    env: opts.env ?? process.env,
    signal: opts.signal ?? new AbortController().signal,
  };
  try {
    return await command.run(ctx);
  } catch (err) {
    const shape = toErrorShape(err);
    stderr.write(`error: ${shape.message.replace(/\s*\n\s*/g, ' ')}\n`);
    // What lies behind the message (a stack, SQLite's own error), for a bug report; never by default.
    if (ctx.env.COHORT_RELAY_DEBUG) {
      const cause = err instanceof AppError && err.cause !== undefined ? err.cause : err;
      stderr.write(`${(cause as Error)?.stack ?? String(cause)}\n`);
    }
    return shape.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}

async function helpText(): Promise<string> {
  const lines = ['Cohort Relay — keep TikTok Ads custom audiences in step with cohort CSV files.', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    try {
      const c = (await load()).default;
      lines.push(`  ${name.padEnd(10)} ${c.summary}`);
    } catch {
      lines.push(`  ${name}`);
    }
  }
  lines.push('', 'Run "cohort-relay <command> --help" for its options.', `Data folder: COHORT_RELAY_HOME, else the OS app-data folder. ${describeError('AUTH_MISSING').action}`, '');
  return lines.join('\n');
}
