import type { ParseArgsConfig } from 'node:util';

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
