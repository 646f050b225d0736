/**
 * From an HTTP request to the SimRequest the API areas take: TikTok's paths (/open_api/v1.3/.../ with the trailing
 * slash; a missing slash is a 404 as at TikTok, except on the paths in SLASHLESS_OK), the body read with a size
 * cap, JSON or multipart by endpoint.
 */
import type http from 'node:http';
import type { SimEndpoint } from './endpoints';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart';
import { SimApiError, type SimRequest } from './request';
import { ROUTES } from './routes';

export const PREFIX = '/open_api/v1.3/';
/**
 * Endpoints also answered without the trailing slash. A missing slash is "the classic cause of 404" at TikTok
 * (tiktok-api.md §1, S7), but Segment's production getAudience calls /dmp/custom_audience/get without one
 * (action-destinations tiktok-audiences constants.ts GET_AUDIENCE_URL), so TikTok answers that path. Only paths
 * a public client is seen to use without the slash are listed, not every GET: nothing shows TikTok accepting
 * the others, and keeping their 404 makes a client that drops a slash fail offline rather than at TikTok.
 */
const SLASHLESS_OK: ReadonlySet<SimEndpoint> = new Set(['dmp/custom_audience/get']);

/** The endpoint a path names ("dmp/custom_audience/get"), or null: outside the API, or without the slash it needs. */
export function endpointOf(pathname: string): SimEndpoint | null {
  if (!pathname.startsWith(PREFIX)) return null;
  const rest = pathname.slice(PREFIX.length);
  if (rest.endsWith('/')) return rest.slice(0, -1) as SimEndpoint;
  return SLASHLESS_OK.has(rest as SimEndpoint) ? (rest as SimEndpoint) : null;
}

/** Reads the whole body; past `limit` bytes it keeps draining (so the client finishes sending) but drops data. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

export function parseRequest(endpoint: SimEndpoint, req: http.IncomingMessage, url: URL, body: Buffer, tooLarge: boolean): SimRequest {
  const base: SimRequest = { endpoint, headers: req.headers, query: url.searchParams, json: {}, parts: [], bodyTooLarge: tooLarge };
  if (ROUTES[endpoint].method === 'GET' || tooLarge) return base;
  const contentType = req.headers['content-type'];
  const boundary = multipartBoundary(contentType);
  if (endpoint === 'dmp/custom_audience/file/upload') {
    if (!boundary) throw new SimApiError(40000, 'file upload must be multipart/form-data.');
    try {
      return { ...base, parts: parseMultipart(body, boundary) };
    } catch (err) {
      if (err instanceof MultipartError) throw new SimApiError(40000, `Malformed multipart body: ${err.message}.`);
      throw err;
    }
  }
  if (!contentType || !/^application\/json/i.test(contentType)) throw new SimApiError(40000, 'Content-Type must be application/json.');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new SimApiError(40000, 'The request body is not valid JSON.');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new SimApiError(40000, 'The request body must be a JSON object.');
  return { ...base, json: json as Record<string, unknown> };
}
