/**
 * The web host's wire protocol: the IPC contract carried as JSON text frames over one WebSocket.
 *
 *   client → host  { id, channel, arg? }                      one request; `arg` absent for no-argument channels
 *   host → client  { kind: 'result', id, result: Result }     exactly one per request id
 *   host → client  { kind: 'event', event, payload }          push events
 *
 * A dropped or picked file is uploaded with `POST /upload?token=…&name=…` (the raw bytes as the body) and
 * answered with `{ path }`: the host path of a private temp copy, usable for a one-off check or sync (the host
 * grants it; a scheduled sync needs a file under a folder granted with --allow-folder).
 */
import type { EventName } from './channels';
import type { Result } from './contract';

export const WS_PATH = '/ws';
export const UPLOAD_PATH = '/upload';
/**
 * A rejects report is a browser download: the export's `download` is `/download/<n>/<name>`, fetched with the
 * token (`?token=…`). The page never names where a report is written.
 */
export const DOWNLOAD_PATH = '/download';
/** The query parameter carrying the per-launch secret of the web host. */
export const TOKEN_PARAM = 'token';

export interface WireRequest {
  id: number;
  channel: string;
  arg?: unknown;
}

export type WireMessage =
  | { kind: 'result'; id: number; result: Result<unknown> }
  | { kind: 'event'; event: EventName; payload: unknown };

export interface UploadResponse {
  path: string;
}

/** Parses one client frame; null when it is not a well-formed request (the host answers nothing it cannot address). */
export function parseWireRequest(text: string): WireRequest | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const { id, channel, arg } = data as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof channel !== 'string') return null;
  return 'arg' in data ? { id, channel, arg } : { id, channel };
}
