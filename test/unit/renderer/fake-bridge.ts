/**
 * A fake engine behind the real bridge plumbing: the shared buildApi + unwrapApi turn plain handler
 * functions into the Bridge that screens use, so only the engine is fake. Unset channels answer INTERNAL.
 */
import { buildApi } from '../../../shared/ipc/api-object';
import type { Channel, EventName } from '../../../shared/ipc/channels';
import type { ApiOn, EventListener, EventPayloads, RequestIn, ResponseOf, Result } from '../../../shared/ipc/contract';
import type { AdvertiserView, AudienceDetailView, AudienceView, ConnectionView, PlanView, PreviewView, RunView, SettingsView } from '../../../shared/ipc/dto';
import { toErrorShape } from '../../../shared/errors';
import { unwrapApi } from '../../../renderer/src/app/bridge';
import type { Bridge } from '../../../renderer/src/app/bridge';
import { DEFAULT_PROFILE } from '../../../shared/domain';

export type FakeHandlers = { [C in Channel]?: (req: RequestIn<C>) => ResponseOf<C> | Promise<ResponseOf<C>> };

export interface FakeBridge extends Bridge {
  /** Every call made, in order: channel and argument. */
  calls: { channel: Channel; arg: unknown }[];
  callsTo(channel: Channel): unknown[];
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  listenerCount(event: EventName): number;
  handlers: FakeHandlers;
  /** Files handed over by fileToPath, and the path each got. */
  files: File[];
}

export function fakeBridge(handlers: FakeHandlers = {}): FakeBridge {
  const calls: { channel: Channel; arg: unknown }[] = [];
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const files: File[] = [];
  const invoke = async (channel: Channel, arg: unknown): Promise<Result<unknown>> => {
    calls.push({ channel, arg });
    const h = handlers[channel] as ((a: unknown) => unknown) | undefined;
    if (!h) return { ok: false, error: { code: 'INTERNAL', message: `fake engine: ${channel} was not given`, retryable: false } };
    try {
      return { ok: true, value: await h(arg) };
    } catch (err) {
      return { ok: false, error: toErrorShape(err) };
    }
  };
  const on: ApiOn = <E extends EventName>(event: E, listener: EventListener<E>) => {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => {
      set.delete(l);
    };
  };
  const api = buildApi(invoke, on);
  return {
    ...unwrapApi(api),
    on,
    host: 'web',
    raw: api,
    calls,
    files,
    handlers,
    callsTo: (channel) => calls.filter((c) => c.channel === channel).map((c) => c.arg),
    emit(event, payload) {
      for (const l of [...(listeners.get(event) ?? [])]) l(payload);
    },
    listenerCount: (event) => listeners.get(event)?.size ?? 0,
    async fileToPath(file: File) {
      files.push(file);
      return `/uploads/${file.name}`;
    },
  };
}

// ── Sample data ──────────────────────────────────────────────────────────────

export const ADVERTISER: AdvertiserView = { advertiserId: '7000000001', name: 'Sandbox Shop' };

export function connection(over: Partial<ConnectionView> = {}): ConnectionView {
  return {
    id: 'tt-sandbox',
    label: 'Offline sandbox',
    kind: 'sandbox',
    appId: null,
    environment: 'offline-sandbox',
    status: 'ok',
    statusMessage: null,
    createdAt: '2026-11-01T10:00:00Z',
    lastCheckedAt: '2026-11-24T10:00:00Z',
    advertisers: [ADVERTISER],
    notice: null,
    ...over,
  };
}

export function settings(over: Partial<SettingsView> = {}): SettingsView {
  return {
    environment: 'offline-sandbox',
    defaultCountry: null,
    dailyCallBudget: 24,
    rateLimits: { qps: 10, qpm: 600 },
    notifications: true,
    launchAtLogin: false,
    theme: 'system',
    dataFolder: '/home/me/.config/cohort-relay',
    pausedAll: false,
    ...over,
  };
}

export function audience(over: Partial<AudienceView> = {}): AudienceView {
  return {
    id: 1,
    name: 'Spring buyers',
    connectionId: 'tt-sandbox',
    advertiserId: ADVERTISER.advertiserId,
    tiktokAudienceId: '9000000001',
    keys: [{ key: 'email', column: 'email' }],
    calculateType: 'EMAIL_SHA256',
    api: 'file',
    profile: DEFAULT_PROFILE,
    sourceKind: 'file',
    sourcePath: '/data/spring.csv',
    sourcePattern: null,
    suppressPath: null,
    cadence: { kind: 'daily', at: '06:00' },
    paused: false,
    state: 'available',
    stateMessage: null,
    coverNum: 1480,
    localSize: 1500,
    lastSync: '2026-11-24T06:00:00Z',
    nextSync: '2026-11-25T06:00:00Z',
    callsLeftToday: 22,
    dailyBudget: 24,
    expiresAt: '2027-11-24T06:00:00Z',
    running: false,
    removalLimitPct: 20,
    hold: null,
    createdAt: '2026-11-01T10:00:00Z',
    updatedAt: '2026-11-24T06:00:00Z',
    ...over,
  };
}

export function run(over: Partial<RunView> = {}): RunView {
  return {
    id: 1,
    audienceId: 1,
    audienceName: 'Spring buyers',
    trigger: 'manual',
    status: 'done',
    dryRun: false,
    startedAt: '2026-11-24T06:00:00Z',
    finishedAt: '2026-11-24T06:00:04Z',
    durationMs: 4200,
    sourcePath: '/data/spring.csv',
    rowsRead: 1503,
    valid: 1500,
    rejected: 3,
    duplicates: 0,
    adds: 1500,
    removes: 0,
    callsUsed: 1,
    rejectReasons: { INVALID_EMAIL: 2, EMPTY: 1 },
    deferredUntil: null,
    error: null,
    // What the ledger counted: as many calls as acknowledged unless a test says otherwise.
    sent: { calls: over.callsUsed ?? 1, unanswered: 0, appended: 0, removed: 0, replaced: null, replace: false },
    ...over,
  };
}

export function detail(over: Partial<AudienceDetailView> = {}): AudienceDetailView {
  return {
    ...audience(),
    perKeySize: null,
    history: [
      { at: '2026-11-20T06:00:00Z', sent: 1200, matched: 1150 },
      { at: '2026-11-24T06:00:00Z', sent: 1500, matched: 1480 },
    ],
    recentRuns: [run()],
    ...over,
  };
}

export function preview(over: Partial<PreviewView> = {}): PreviewView {
  return {
    path: '/uploads/cohort.csv',
    fileName: 'cohort.csv',
    sizeBytes: 48_213,
    delimiter: ',',
    encoding: 'utf-8',
    hasHeader: true,
    columns: [
      { index: 0, name: 'user_id', detected: null, confidence: 0 },
      { index: 1, name: 'email', detected: 'email', confidence: 0.99 },
    ],
    rows: [
      ['0', 'user0@example.com'],
      ['1', 'user1@example.com'],
    ],
    estimatedRows: 1500,
    suggested: { column: 1, key: 'email' },
    ...over,
  };
}

export function plan(over: Partial<PlanView> = {}): PlanView {
  return {
    audienceId: 1,
    rowsRead: 1503,
    valid: 1500,
    rejected: 3,
    duplicates: 0,
    suppressed: 0,
    rejectsByReason: { INVALID_EMAIL: 2, EMPTY: 1 },
    rejectsSample: [],
    adds: 1500,
    removes: 0,
    unchanged: 0,
    calls: 1,
    quotaLeft: 24,
    dailyBudget: 24,
    currentSize: 0,
    projectedSize: 1500,
    floorWarning: null,
    deferredUntil: null,
    perKey: null,
    removalHold: null,
    ...over,
  };
}
