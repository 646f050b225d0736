/**
 * Builds an `Api` object (one namespace per domain, one function per channel) from a transport's
 * `invoke` and `on`. The preload (over ipcRenderer) and the renderer's web client (over a WebSocket) both
 * use it, so their shapes cannot drift. Zod-free on purpose: the preload and the renderer do not bundle the
 * schemas; the receiving side parses.
 */
import { CHANNELS, splitChannel } from './channels';
import type { Channel } from './channels';
import type { Api, ApiOn, Result } from './contract';

/** Sends one request and resolves to its envelope; a transport failure must resolve to an error envelope, not reject. */
export type Invoke = (channel: Channel, arg: unknown) => Promise<Result<unknown>>;

export function buildApi(invoke: Invoke, on: ApiOn): Api {
  const domains: Record<string, Record<string, (arg?: unknown) => Promise<Result<unknown>>>> = {};
  for (const channel of CHANNELS) {
    const [domain, verb] = splitChannel(channel);
    domains[domain] ??= {};
    // Only the one argument is forwarded, so a caller cannot smuggle extra IPC arguments.
    domains[domain][verb] = (arg?: unknown) => invoke(channel, arg);
  }
  for (const d of Object.values(domains)) Object.freeze(d);
  // The cast is the one place the runtime object meets the mapped type; the preload test checks the shape.
  return Object.freeze({ ...domains, on }) as unknown as Api;
}

/** The channel names an Api object exposes, as `domain:verb`, for tests and diagnostics. */
export function apiChannels(api: object): string[] {
  const out: string[] = [];
  for (const [domain, fns] of Object.entries(api)) {
    if (fns && typeof fns === 'object') for (const verb of Object.keys(fns)) out.push(`${domain}:${verb}`);
  }
  return out.sort();
}
