/**
 * One request as the sandbox's API areas see it, and TikTok's wire formats: the error envelope a handler throws,
 * parameters (ids as strings or numbers, JSON-string arrays, paging) and times.
 */

/** Thrown inside handlers: becomes an error envelope (HTTP 200). */
export class SimApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** TikTok answers most refusals with HTTP 200; a few with 4xx and the envelope (a partner audience not ready yet). */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

export interface SimRequest {
  endpoint: string;
  /** Lowercased header names. */
  headers: Record<string, string | string[] | undefined>;
  query: URLSearchParams;
  json: Record<string, unknown>;
  parts: { name: string; filename: string | null; data: Buffer }[];
  bodyTooLarge: boolean;
}

/** A lowercase SHA-256 or MD5 hex digest, as TikTok takes hashed ids. */
export const SHA256 = /^[0-9a-f]{64}$/;
export const MD5 = /^[0-9a-f]{32}$/;

/** Ends a handler with TikTok's error envelope. */
export const fail = (code: number, message: string, httpStatus?: number): never => {
  throw new SimApiError(code, message, httpStatus);
};

/** "YYYY-MM-DD HH:MM:SS", TikTok's time format (no zone): UTC, or `offsetMinutes` ahead of it. */
export function tiktokTime(ms: number, offsetMinutes = 0): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A custom_audience_ids list (get, delete, apply/log, lookalike/update): 1 to 100 ids, else 40002. */
export function idList(ids: string[] | null): string[];
export function idList(ids: unknown): unknown[];
export function idList(ids: unknown): unknown[] {
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) fail(40002, 'custom_audience_ids must have 1 to 100 items.');
  return ids as unknown[];
}

/** "YYYY-MM-DD" UTC day of `ms`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

export function headerValue(headers: SimRequest['headers'], name: string): string | null {
  const v = headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim() : null;
}

export function checkName(name: unknown): void {
  if (typeof name !== 'string' || name.length < 1 || name.length > 128) fail(40002, 'custom_audience_name must be 1 to 128 characters.');
}

/** A GET parameter holding a JSON object (filtering), or null when absent. */
export function jsonParam(q: URLSearchParams, name: string): Record<string, unknown> | null {
  const v = q.get(name);
  if (v === null || v === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return fail(40002, `${name} is not valid JSON.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) fail(40002, `${name} must be a JSON object.`);
  return parsed as Record<string, unknown>;
}

/** page / page_size (1–1000, default 10) of campaign/get, adgroup/get and apply/log, with TikTok's page_info. */
export function paged<T>(q: URLSearchParams, all: T[], render: (t: T) => unknown): { list: unknown[]; page_info: { page: number; page_size: number; total_number: number; total_page: number } } {
  const page = intParam(q, 'page', 1);
  const pageSize = intParam(q, 'page_size', 10);
  if (page < 1) fail(40002, 'page must be at least 1.');
  if (pageSize < 1 || pageSize > 1000) fail(40002, 'page_size must be from 1 to 1000.');
  return { list: all.slice((page - 1) * pageSize, page * pageSize).map(render), page_info: { page, page_size: pageSize, total_number: all.length, total_page: Math.ceil(all.length / pageSize) } };
}

export function intParam(q: URLSearchParams, name: string, dflt: number): number {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!/^-?\d+$/.test(v)) fail(40002, `${name} must be an integer.`);
  return Number(v);
}

/**
 * A GET array parameter in either form (§1 CONFLICT): a JSON string `ids=["1","2"]`, or repeated keys
 * `ids=1&ids=2`. Null when absent.
 */
export function arrayParam(q: URLSearchParams, name: string): string[] | null {
  const values = q.getAll(name);
  if (values.length === 0) return null;
  if (values.length === 1 && (values[0] as string).trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values[0] as string);
    } catch {
      return fail(40002, `${name} is not a valid JSON array.`);
    }
    if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string' || typeof x === 'number')) fail(40002, `${name} must be an array of ids.`);
    return (parsed as (string | number)[]).map(String);
  }
  return values;
}
