import { createHash } from 'node:crypto';
import { TikTokClient, type TikTokClientOptions } from '../../../electron/core/tiktok/client';
import type { SimulatorHandle } from '../../../electron/core/sandbox';
import type { CallEvent } from '../../../electron/core/tiktok/types';

/** `n` distinct lowercase SHA-256 hashes, deterministic from `prefix`. */
export function hashes(n: number, prefix = 'user', start = 0): string[] {
  const out: string[] = [];
  for (let i = start; i < start + n; i++) out.push(createHash('sha256').update(`${prefix}${i}@example.com`).digest('hex'));
  return out;
}

/** A file body of one hash per line, as the app uploads it. */
export function fileOf(lines: readonly string[]): Buffer {
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** A client on the simulator: no client-side limiter, instant retries (delays recorded), calls recorded. */
export function clientFor(sim: SimulatorHandle, extra: Partial<TikTokClientOptions> = {}): { client: TikTokClient; calls: CallEvent[]; sleeps: number[] } {
  const calls: CallEvent[] = [];
  const sleeps: number[] = [];
  const client = new TikTokClient({
    base: sim.url,
    accessToken: sim.accessToken,
    limiter: null,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    onCall: (e) => calls.push(e),
    ...extra,
  });
  return { client, calls, sleeps };
}

/** Uploads `lines` and creates an audience of them; returns its id and the file path. */
export async function createAudienceOf(client: TikTokClient, advertiserId: string, lines: readonly string[], name = 'Test audience'): Promise<{ audienceId: string; filePath: string }> {
  const { filePath } = await client.fileUpload({ advertiserId, calculateType: 'EMAIL_SHA256', file: fileOf(lines) });
  const { audienceId } = await client.createAudience({ advertiserId, name, calculateType: 'EMAIL_SHA256', filePaths: [filePath] });
  return { audienceId, filePath };
}

export async function upload(client: TikTokClient, advertiserId: string, lines: readonly string[]): Promise<string> {
  return (await client.fileUpload({ advertiserId, calculateType: 'EMAIL_SHA256', file: fileOf(lines) })).filePath;
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function thrown<T = unknown>(fn: () => Promise<unknown>): Promise<T> {
  try {
    await fn();
  } catch (err) {
    return err as T;
  }
  throw new Error('expected the call to throw');
}
