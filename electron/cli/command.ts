import type { ParseArgsConfig } from 'node:util';
import { AppError } from '../../shared/errors';

/** What every CLI command receives. Output goes through these streams so tests can capture it. */
export interface CliContext {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Secrets piped in (e.g. `login --token-stdin`); process.stdin unless a test passes its own. */
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT / SIGTERM. */
  signal: AbortSignal;
}

/**
 * One `cohort-relay <name>` command. `run` resolves to the exit code; it throws an AppError for a
 * user-facing failure (printed as one line, exit 1).
 */
export interface CliCommand {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(ctx: CliContext): Promise<number>;
}

/**
 * Bad input best answered with the command's usage (an unknown or missing sub-command): main.ts prints the message, then
 * the usage as `--help` lays it out, line by line (exit 2).
 */
export class UsageError extends AppError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

export function str(ctx: CliContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(ctx: CliContext, name: string): boolean {
  return ctx.values[name] === true;
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

const LOCAL_ID_HINT = 'the audience number "cohort-relay status" shows';

/**
 * The local audience id given as `--audience-id` (the number `cohort-relay status` shows), or undefined when the
 * option is absent. A value that is not a whole number above 0 is bad input (exit 2), named as given.
 */
export function localAudienceId(ctx: CliContext): number | undefined {
  const text = str(ctx, 'audience-id');
  return text === undefined ? undefined : parseLocalId(text);
}

/** One `--audience-id` value as a local audience id (for commands that take several); refused as localAudienceId refuses. */
export function parseLocalId(text: string): number {
  const id = Number(text);
  if (text.trim() === '' || !Number.isInteger(id) || id <= 0) throw new AppError('INVALID_ARGUMENT', `--audience-id must be a number: ${LOCAL_ID_HINT}, not "${text}".`);
  return id;
}

/** Like localAudienceId, for a command that needs one: a missing option is bad input too. */
export function requireLocalAudienceId(ctx: CliContext): number {
  const id = localAudienceId(ctx);
  if (id === undefined) throw new AppError('INVALID_ARGUMENT', `Missing --audience-id LOCAL_ID: ${LOCAL_ID_HINT}.`);
  return id;
}

