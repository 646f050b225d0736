import { parseArgs } from 'node:util';
import { AppError, toErrorShape, describeError } from '../../shared/errors';
import { UsageError, type CliCommand, type CliContext } from './command';
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
  workspaces: () => import('./commands/workspaces'),
};

/**
 * Commands that work on the whole install rather than inside one workspace: they get the base data folder, and
 * `--workspace` (as COHORT_RELAY_WORKSPACE) narrows them when given (`daemon --workspace X` runs X's schedules only).
 */
const WHOLE_INSTALL: ReadonlySet<string> = new Set(['workspaces', 'daemon', 'start']);
/** Commands that touch no data folder at all. */
const NO_DATA: ReadonlySet<string> = new Set(['sandbox']);

/**
 * Takes the global `--workspace NAME` (or `--workspace=NAME`) out of argv, wherever it stands, so each command's
 * own options stay strict. `value` is null when it is not given; `missing` when it is given without a name.
 */
export function takeWorkspaceOption(argv: readonly string[]): { argv: string[]; value: string | null; missing: boolean } {
  const out: string[] = [];
  let value: string | null = null;
  let missing = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--workspace') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) missing = true;
      else {
        value = next;
        i++;
      }
    } else if (a.startsWith('--workspace=')) {
      value = a.slice('--workspace='.length);
      if (!value.trim()) missing = true;
    } else out.push(a);
  }
  return { argv: out, value, missing };
}

/**
 * The environment a command runs with (#14 §2): inside one workspace (its data folder as COHORT_RELAY_HOME, its
 * keychain service), the one `--workspace` or COHORT_RELAY_WORKSPACE names, else the registry's active one.
 */
async function workspaceScope(name: string, chosen: string | undefined, env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  if (NO_DATA.has(name)) return env;
  const ws = await import('../core/engine');
  const base = ws.resolveDataDir(env);
  const registry = ws.readRegistry(base);
  const w = chosen ? ws.requireWorkspace(registry, chosen) : registry.workspaces.find((x) => x.id === registry.active)!;
  if (WHOLE_INSTALL.has(name)) {
    const { [ws.WORKSPACE_ENV]: _dropped, ...rest } = env;
    return chosen ? { ...rest, [ws.WORKSPACE_ENV]: w.id } : rest;
  }
  return { ...ws.workspaceEnv(env, w.id), COHORT_RELAY_HOME: ws.workspaceDir(base, w.id), [ws.WORKSPACE_ENV]: w.id };
}

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
  const global = takeWorkspaceOption(argv);
  const [name, ...rest] = global.argv;
  const isCommand = (x: string | undefined) => x !== undefined && Object.hasOwn(COMMANDS, x);
  // `--workspace status`: the command was read as the workspace's name, and no command is left.
  if (global.value !== null && !isCommand(name) && (name === undefined || isCommand(global.value))) {
    stderr.write(
      isCommand(global.value)
        ? `error: --workspace needs a name: --workspace NAME <command> ("${global.value}" was read as the workspace's name, leaving no command).\n`
        : `error: no command after --workspace "${global.value}": --workspace NAME <command>. Run "cohort-relay --help" for the commands.\n`,
    );
    return 2;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    stdout.write(await helpText());
    return name ? 0 : 2;
  }
  // A command line that asks for --json gets its errors as JSON on stdout too (one central path, below): a program
  // reading it never has to parse words, not even for an unknown command or an option the command does not take.
  const end = rest.indexOf('--');
  const json = (end < 0 ? rest : rest.slice(0, end)).includes('--json');
  const load = COMMANDS[name];
  if (!load) {
    const message = `unknown command "${name}". Run "cohort-relay --help" for the list of commands.`;
    if (json) stdout.write(`${JSON.stringify({ error: { code: 'INVALID_ARGUMENT', message: `${message.charAt(0).toUpperCase()}${message.slice(1)}` } })}\n`);
    else stderr.write(`error: ${message}\n`);
    return 2;
  }
  const command = (await load()).default;
  const fail = (code: number, shape: { code: string; message: string }, usage?: string): number => {
    const message = shape.message.replace(/\s*\n\s*/g, ' ');
    if (json) stdout.write(`${JSON.stringify({ error: { code: shape.code, message: usage === undefined ? message : `${message}. Usage: ${usage.replace(/\s*\n\s*/g, ' | ')}` } })}\n`);
    // The usage as --help lays it out, one form a line.
    else stderr.write(`error: ${message}${usage === undefined ? '' : `. Usage: ${usage}`}\n`);
    return code;
  };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (err) {
    return fail(2, { code: 'INVALID_ARGUMENT', message: (err as Error).message.split('\n')[0]! }, command.usage);
  }
  if (parsed.values.help) {
    stdout.write(`${command.summary}\n\nUsage: ${command.usage}\n${NO_DATA.has(name) ? '' : `${WORKSPACE_HELP}\n`}`);
    return 0;
  }
  if (global.missing) return fail(2, { code: 'INVALID_ARGUMENT', message: '--workspace needs a workspace name, e.g. --workspace "Acme". Run "cohort-relay workspaces list" to see them.' });
  const baseEnv = opts.env ?? process.env;
  const ctx: CliContext = {
    values: parsed.values as CliContext['values'],
    positionals: parsed.positionals,
    stdout,
    stderr,
    stdin: opts.stdin ?? process.stdin,
    env: baseEnv,
    signal: opts.signal ?? new AbortController().signal,
  };
  try {
    ctx.env = await workspaceScope(name, global.value?.trim() || baseEnv.COHORT_RELAY_WORKSPACE?.trim() || undefined, baseEnv);
    return await command.run(ctx);
  } catch (err) {
    const shape = toErrorShape(err);
    const code = fail(shape.code === 'INVALID_ARGUMENT' ? 2 : 1, shape, err instanceof UsageError ? command.usage : undefined);
    // What lies behind the message (a stack, SQLite's own error), for a bug report; never by default.
    if (ctx.env.COHORT_RELAY_DEBUG) {
      const cause = err instanceof AppError && err.cause !== undefined ? err.cause : err;
      stderr.write(`${(cause as Error)?.stack ?? String(cause)}\n`);
    }
    return code;
  }
}

const WORKSPACE_HELP = 'Workspaces: --workspace NAME (or COHORT_RELAY_WORKSPACE) runs any command in that workspace; without it, the active one ("cohort-relay workspaces use NAME").';

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
  lines.push('', 'Run "cohort-relay <command> --help" for its options.', WORKSPACE_HELP, `Data folder: COHORT_RELAY_HOME, else the OS app-data folder. ${describeError('AUTH_MISSING').action}`, '');
  return lines.join('\n');
}
