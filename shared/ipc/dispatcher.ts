/**
 * The host-neutral dispatcher every transport calls (STYLE.md "IPC"): checks the sender, parses the argument
 * from `unknown` with the channel's zod schema, calls the engine's handler, and turns whatever happens into a
 * `Result` envelope. No Node or Electron import: Electron's registrar (electron/main/registrar.ts) and the
 * web host (electron/web-host/server.ts) both build on it.
 */
import type { z } from 'zod';
import { AppError, toErrorShape } from '../errors';
import type { AppErrorShape } from '../errors';
import { contract, isChannel } from './contract';
import type { Channel, Handlers, Result } from './contract';

/** Either a decision already made, or a check run only when a request arrives. */
export type SenderCheck = boolean | (() => boolean);

export type Dispatch = (channel: string, rawArg: unknown, senderCheck: SenderCheck) => Promise<Result<unknown>>;

export interface DispatcherOptions {
  /**
   * Told about failures that are not AppErrors (bugs) before they are sanitized to INTERNAL, so a host
   * can log them. It receives the raw error: log its name and stack, not its message, which may carry a value.
   */
  onInternalError?: (channel: Channel, err: unknown) => void;
}

const UNTRUSTED: AppErrorShape = {
  code: 'PERMISSION_DENIED',
  message: "This request did not come from Cohort Relay's own window, so it was refused. Restart Cohort Relay if this repeats.",
  retryable: false,
};

/** Readable, value-free words for a failed parse: which field, and what it must be. */
export function describeIssues(channel: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((i) => {
    const where = i.path.length ? i.path.map(String).join('.') : 'the argument';
    // Our own messages read "must …" after the field name; zod's defaults read as a clause after a colon.
    return i.message.startsWith('must ') ? `${where} ${i.message}` : `${where}: ${i.message.charAt(0).toLowerCase()}${i.message.slice(1)}`;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return `Invalid request for ${channel}: ${parts.join('; ')}${more}. Correct it and try again.`;
}

function fail(code: AppErrorShape['code'], message: string, retryable = false): Result<never> {
  return { ok: false, error: { code, message, retryable } };
}

/**
 * Builds the function every transport calls. It never throws and never rejects: bad arguments become
 * INVALID_ARGUMENT, a thrown AppError keeps its shape, anything else becomes INTERNAL without its message,
 * stack or any value.
 */
export function createDispatcher(handlers: Handlers, opts: DispatcherOptions = {}): Dispatch {
  return async (channel, rawArg, senderCheck) => {
    let trusted = false;
    try {
      trusted = typeof senderCheck === 'function' ? senderCheck() : senderCheck === true;
    } catch {
      trusted = false;
    }
    if (!trusted) return { ok: false, error: UNTRUSTED };
    if (!isChannel(channel)) return fail('INVALID_ARGUMENT', `Unknown request "${String(channel).slice(0, 64)}". The app's screens and engine are out of step: restart Cohort Relay.`);

    const schema: z.ZodType = contract[channel].request;
    const parsed = schema.safeParse(rawArg);
    if (!parsed.success) return fail('INVALID_ARGUMENT', describeIssues(channel, parsed.error));

    const handler = handlers[channel] as (req: unknown) => Promise<unknown>;
    try {
      const value = await handler(parsed.data);
      // `undefined` does not survive JSON; a handler with nothing to say answers null.
      return { ok: true, value: value === undefined ? null : value };
    } catch (err) {
      if (!(err instanceof AppError)) opts.onInternalError?.(channel, err);
      return { ok: false, error: err instanceof AppError ? err.toShape() : toErrorShape(err) };
    }
  };
}
