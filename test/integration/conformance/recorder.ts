/**
 * A tiny HTTP server on 127.0.0.1 standing in for TikTok in the conformance tests: it records every
 * request exactly as it arrived (method, path, raw query, headers, body bytes) and answers what the test
 * tells it to, so a test can compare our requests with the shapes public peers send and feed our client the
 * answers those peers were written against.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fixtures from '../../fixtures/conformance/peers.json';

export { fixtures };

/** One request as the recorder saw it. */
export interface Recorded {
  method: string;
  /** Path without the query, e.g. /open_api/v1.3/segment/mapping/ */
  path: string;
  /** The API endpoint below /open_api/v1.3/, trailing slash kept: "segment/mapping/". */
  endpoint: string;
  /** The raw query string after "?", undecoded ("" when none). */
  rawQuery: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** What the recorder answers: a JSON value (serialized) or a raw string, with an HTTP status (default 200). */
export interface Reply {
  status?: number;
  body: unknown;
  contentType?: string;
}

export type Responder = (r: Recorded, index: number) => Reply | Promise<Reply>;

export interface Recorder {
  /** Base URL for TikTokClient / TIKTOK_API_BASE (no trailing slash). */
  url: string;
  readonly requests: Recorded[];
  /** Requests to one endpoint (e.g. "segment/mapping/"). */
  to(endpoint: string): Recorded[];
  /** Replaces the responder. */
  respond(fn: Responder): void;
  close(): Promise<void>;
}

const PREFIX = '/open_api/v1.3/';

/** TikTok's envelope for a success, as Segment's fixtures show it. */
export function ok(data: unknown = {}, requestId = 'REC0000000000000000000000'): Reply {
  return { body: { code: 0, message: 'OK', request_id: requestId, data } };
}

export async function startRecorder(responder: Responder = () => ok()): Promise<Recorder> {
  const requests: Recorded[] = [];
  let respond = responder;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const path = q < 0 ? raw : raw.slice(0, q);
      const rawQuery = q < 0 ? '' : raw.slice(q + 1);
      const rec: Recorded = {
        method: req.method ?? 'GET',
        path,
        endpoint: path.startsWith(PREFIX) ? path.slice(PREFIX.length) : path,
        rawQuery,
        query: new URLSearchParams(rawQuery),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(rec);
      Promise.resolve(respond(rec, requests.length - 1)).then(
        (reply) => {
          const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          res.writeHead(reply.status ?? 200, { 'Content-Type': reply.contentType ?? (typeof reply.body === 'string' ? 'text/html' : 'application/json') });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(String(err));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (endpoint) => requests.filter((r) => r.endpoint === endpoint),
    respond(fn) {
      respond = fn;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The JSON body of a recorded request. */
export function jsonOf(r: Recorded): Record<string, unknown> {
  return JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
}

/** The multipart fields of a recorded upload, parsed by the platform's own FormData parser (not ours). */
export async function formOf(r: Recorded): Promise<FormData> {
  return new Request('http://127.0.0.1/', { method: 'POST', headers: { 'content-type': String(r.headers['content-type']) }, body: new Uint8Array(r.body) }).formData();
}
