/**
 * The renderer's one door to the engine. In Electron it wraps `window.api` (from the preload); in a browser
 * served by the web host it speaks the same contract over a WebSocket. Either way screens see one `Bridge`:
 *
 *   const audiences = await getBridge().audiences.list();      // resolves to the value, or throws BridgeError
 *   const off = getBridge().on('run:progress', (p) => …);      // every subscription returns an unsubscribe
 *   const path = await getBridge().fileToPath(droppedFile);    // a host path the engine can read
 *
 * A failed call throws a BridgeError carrying { code, message, retryable } (shared/errors.ts words), which
 * `toErrorShape` from shared/errors understands. No dependencies: just the shared contract's names and types.
 */
import { buildApi } from '../../../shared/ipc/api-object';
import type { Invoke } from '../../../shared/ipc/api-object';
import { isEventName } from '../../../shared/ipc/channels';
import type { Channel, EventName } from '../../../shared/ipc/channels';
import type { Api, ApiDomains, ApiOn, EventListener, Result } from '../../../shared/ipc/contract';
import type { AppErrorShape, ErrorCode } from '../../../shared/errors';
import type { ExportView } from '../../../shared/ipc/dto';
import { TOKEN_PARAM, UPLOAD_PATH, WS_PATH } from '../../../shared/ipc/wire';
import type { UploadResponse, WireMessage } from '../../../shared/ipc/wire';

/** window.api as the Electron preload exposes it: pathForFile resolves once main has granted the file ('' if not). */
export type PreloadApi = Api & { pathForFile(file: File): Promise<string> };

declare global {
  interface Window {
    api?: PreloadApi;
  }
}

/** A failed engine call: the boundary error shape as a throwable. */
export class BridgeError extends Error implements AppErrorShape {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  constructor(shape: AppErrorShape) {
    super(shape.message);
    this.name = 'BridgeError';
    this.code = shape.code;
    this.retryable = shape.retryable;
  }
}

export function isBridgeError(e: unknown): e is BridgeError {
  return e instanceof BridgeError;
}

type Unwrapped<F> = F extends (...args: infer A) => Promise<Result<infer T>> ? (...args: A) => Promise<T> : never;
/** The contract with results unwrapped: each function resolves to the value or throws BridgeError. */
export type Client = { [D in keyof ApiDomains]: { [V in keyof ApiDomains[D]]: Unwrapped<ApiDomains[D][V]> } };

export interface Bridge extends Client {
  on: ApiOn;
  /** A host path for a dropped or picked file: its own path in Electron, an uploaded temp copy in the web host. */
  fileToPath(file: File): Promise<string>;
  /** Which host serves this renderer. */
  readonly host: 'electron' | 'web';
  /** The envelope-returning api underneath, for callers that prefer `Result` values to exceptions. */
  readonly raw: Api;
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new BridgeError(result.error);
}

/** Turns an envelope-returning Api into the throwing Client. */
export function unwrapApi(api: Api): Client {
  const out: Record<string, Record<string, (arg?: unknown) => Promise<unknown>>> = {};
  for (const [domain, fns] of Object.entries(api as unknown as Record<string, unknown>)) {
    if (!fns || typeof fns !== 'object') continue;
    const wrapped: Record<string, (arg?: unknown) => Promise<unknown>> = {};
    for (const [verb, fn] of Object.entries(fns as Record<string, (arg?: unknown) => Promise<Result<unknown>>>)) {
      wrapped[verb] = async (arg?: unknown) => unwrap(await fn(arg));
    }
    out[domain] = wrapped;
  }
  return out as unknown as Client;
}

const LOST: AppErrorShape = {
  code: 'INTERNAL',
  message: 'Lost the connection to Cohort Relay. Check that it is still running, then reload the page.',
  retryable: true,
};

/** The minimal WebSocket surface the web client uses (the browser's WebSocket, or a test's). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface WsApi {
  api: Api;
  close(): void;
}

/**
 * The contract over the web host's WebSocket. Connects on first use; while anything listens for events it
 * reconnects after a drop (1 s, doubling to 10 s). Calls in flight when the socket drops resolve to an error.
 */
export function createWsApi(url: string, connect: WebSocketFactory = (u) => new WebSocket(u) as unknown as WebSocketLike): WsApi {
  let socket: WebSocketLike | null = null;
  let opening: Promise<WebSocketLike> | null = null;
  let nextId = 1;
  let closed = false;
  let retryMs = 1000;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  const hasListeners = () => [...listeners.values()].some((s) => s.size > 0);

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: WireMessage;
    try {
      msg = JSON.parse(data) as WireMessage;
    } catch {
      return;
    }
    if (msg.kind === 'result') {
      const done = pending.get(msg.id);
      pending.delete(msg.id);
      done?.(msg.result);
    } else if (msg.kind === 'event' && isEventName(msg.event)) {
      for (const l of [...(listeners.get(msg.event) ?? [])]) {
        try {
          l(msg.payload);
        } catch (err) {
          // A failing screen listener must not stop the others; surface it asynchronously.
          setTimeout(() => {
            throw err;
          });
        }
      }
    }
  }

  function scheduleReconnect(): void {
    if (closed || retryTimer || !hasListeners()) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      open().catch(() => scheduleReconnect());
    }, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  }

  function open(): Promise<WebSocketLike> {
    if (closed) return Promise.reject(new BridgeError(LOST));
    if (socket && socket.readyState === 1) return Promise.resolve(socket);
    if (opening) return opening;
    opening = new Promise<WebSocketLike>((resolve, reject) => {
      const ws = connect(url);
      let isOpen = false;
      ws.onopen = () => {
        isOpen = true;
        socket = ws;
        opening = null;
        retryMs = 1000;
        resolve(ws);
      };
      ws.onmessage = (ev) => onMessage(ev.data);
      ws.onerror = () => {
        /* onclose follows and does the work */
      };
      ws.onclose = () => {
        if (socket === ws) socket = null;
        if (!isOpen) {
          opening = null;
          reject(new BridgeError(LOST));
        }
        for (const [id, done] of [...pending]) {
          pending.delete(id);
          done({ ok: false, error: LOST });
        }
        scheduleReconnect();
      };
    });
    return opening;
  }

  const invoke: Invoke = async (channel: Channel, arg: unknown) => {
    let ws: WebSocketLike;
    try {
      ws = await open();
    } catch {
      return { ok: false, error: LOST };
    }
    const id = nextId++;
    return new Promise<Result<unknown>>((resolve) => {
      pending.set(id, resolve);
      try {
        ws.send(JSON.stringify(arg === undefined ? { id, channel } : { id, channel, arg }));
      } catch {
        pending.delete(id);
        resolve({ ok: false, error: LOST });
      }
    });
  };

  const on: ApiOn = <E extends EventName>(event: E, listener: EventListener<E>) => {
    if (!isEventName(event)) throw new TypeError(`Unknown event "${String(event)}".`);
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    const l = listener as (payload: unknown) => void;
    set.add(l);
    open().catch(() => scheduleReconnect());
    return () => {
      set.delete(l);
    };
  };

  return {
    api: buildApi(invoke, on),
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close();
    },
  };
}

const TOKEN_KEY = 'cohort-relay-web-token';

/** The web host's token: from the page URL (then hidden from the address bar), else from this tab's session. */
function takeToken(): string | null {
  const params = new URLSearchParams(window.location.search);
  const fromUrl = params.get(TOKEN_PARAM);
  if (fromUrl) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
      params.delete(TOKEN_PARAM);
      const rest = params.toString();
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`);
    } catch {
      /* storage disabled: keep the token in the URL */
    }
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function webBridge(): Bridge {
  const token = takeToken() ?? '';
  const wsProtocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const { api } = createWsApi(`${wsProtocol}//${window.location.host}${WS_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`);
  const client = unwrapApi(api);
  /** The host wrote a rejects report for download: the browser saves it where the user keeps downloads. */
  const download = async (view: ExportView): Promise<ExportView> => {
    if (!view.download) return view;
    // Fetched here and saved from a blob: the token never appears in the browser's download list.
    let res: Response;
    try {
      res = await fetch(`${view.download}?${TOKEN_PARAM}=${encodeURIComponent(token)}`);
    } catch {
      throw new BridgeError(LOST);
    }
    if (!res.ok) throw new BridgeError({ code: 'INTERNAL', message: `The rejects report could not be downloaded (${res.status}). Export it again.`, retryable: true });
    const href = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = href;
    a.download = decodeURIComponent(view.download.slice(view.download.lastIndexOf('/') + 1));
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
    return view;
  };
  return {
    ...client,
    import: { ...client.import, exportRejects: async (req) => download(await client.import.exportRejects(req)) },
    runs: { ...client.runs, exportRejects: async (req) => download(await client.runs.exportRejects(req)) },
    on: api.on,
    host: 'web',
    raw: api,
    async fileToPath(file: File) {
      let res: Response;
      try {
        res = await fetch(`${UPLOAD_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}&name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
      } catch {
        throw new BridgeError(LOST);
      }
      if (!res.ok) {
        const code: ErrorCode = res.status === 413 ? 'CSV_INVALID' : 'INTERNAL';
        throw new BridgeError({ code, message: `The file could not be handed to Cohort Relay (${(await res.text()).trim() || res.status}). Reload the page and try again.`, retryable: false });
      }
      return ((await res.json()) as UploadResponse).path;
    },
  };
}

function electronBridge(api: PreloadApi): Bridge {
  return {
    ...unwrapApi(api),
    on: api.on,
    host: 'electron',
    raw: api,
    async fileToPath(file: File) {
      const path = await api.pathForFile(file);
      if (!path) throw new BridgeError({ code: 'FILE_NOT_FOUND', message: 'This file is not on disk (it may come from a web page or an archive). Save it to a folder first, then drop it again.', retryable: false });
      return path;
    },
  };
}

/** Picks the transport for the page this runs in. */
export function createBridge(): Bridge {
  return window.api ? electronBridge(window.api) : webBridge();
}

let current: Bridge | null = null;

/** The bridge of this page (created on first use). */
export function getBridge(): Bridge {
  current ??= createBridge();
  return current;
}

/** Replaces the bridge (component and store tests pass a fake); null restores the real one on next use. */
export function setBridge(bridge: Bridge | null): void {
  current = bridge;
}
