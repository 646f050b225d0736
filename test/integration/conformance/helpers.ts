import { createHash } from 'node:crypto';
import type { SimulatorHandle } from '../../../electron/core/sandbox';

export const API = '/open_api/v1.3/';

/** An answer as it came over the wire. `body` is the parsed JSON, or the text when it is not JSON. */
export interface Wire {
  status: number;
  body: { code: number; message: string; request_id?: string; data?: Record<string, unknown> } & Record<string, unknown>;
  text: string;
}

/**
 * One raw HTTP request to the simulator, built the way the peers build theirs: the Access-Token header and
 * `Content-Type: application/json` on every call (Segment's extendRequest; RudderStack's headers), a JSON
 * body, or a multipart form for uploads. `path` is below /open_api/v1.3/ unless it starts with "/".
 */
export async function send(
  sim: SimulatorHandle,
  path: string,
  init: { method?: 'GET' | 'POST'; json?: unknown; form?: FormData; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Wire> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers['Access-Token'] = init.token ?? sim.accessToken;
  let body: string | FormData | undefined;
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    body = init.form;
  }
  Object.assign(headers, init.headers);
  const url = path.startsWith('/') ? `${sim.url}${path}` : `${sim.url}${API}${path}`;
  const res = await fetch(url, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { code: Number.NaN, message: text };
  }
  return { status: res.status, body: parsed as Wire['body'], text };
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
export const md5 = (s: string | Uint8Array): string => createHash('md5').update(s).digest('hex');

/** `n` distinct lowercase SHA-256 (or MD5) digests, deterministic from `prefix`. */
export function digests(n: number, prefix: string, kind: 'sha256' | 'md5' = 'sha256'): string[] {
  return Array.from({ length: n }, (_, i) => (kind === 'md5' ? md5(`${prefix}${i}`) : sha256(`${prefix}${i}`)));
}

/** A multipart upload form with exactly the SDK's fields (advertiser_id, calculate_type, file_signature, file). */
export function uploadForm(p: { advertiserId: string; calculateType: string; content: Buffer; filename?: string; signature?: string; omit?: string; extra?: Record<string, string> }): FormData {
  const f = new FormData();
  if (p.omit !== 'advertiser_id') f.append('advertiser_id', p.advertiserId);
  if (p.omit !== 'calculate_type') f.append('calculate_type', p.calculateType);
  if (p.omit !== 'file_signature') f.append('file_signature', p.signature ?? md5(p.content));
  if (p.omit !== 'file') f.append('file', new Blob([new Uint8Array(p.content)], { type: 'text/csv' }), p.filename ?? 'audience.csv');
  for (const [k, v] of Object.entries(p.extra ?? {})) f.append(k, v);
  return f;
}

/** "YYYY-MM-DD HH:MM:SS", TikTok's time format in the peers' fixtures. */
export const TIKTOK_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
