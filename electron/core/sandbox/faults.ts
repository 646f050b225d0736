/**
 * Fault injection for the offline sandbox, deterministic from a seed.
 *
 * Kinds:
 * - 'http5xx': answer HTTP 5xx (default 503) without applying anything;
 * - 'code50000': answer HTTP 200 with code 50000 (system error) without applying anything;
 * - 'rate-limit': answer code 40100 (QPS) without applying anything;
 * - 'drop': destroy the socket before any response; nothing is applied;
 * - 'lost-ack': APPLY the request, then destroy the socket without a response (a lost acknowledgement);
 * - 'tiktok-code': answer TikTok's envelope with `code` and `message` (HTTP `status`, default 200) without applying
 *   anything — for answers the model does not produce by itself (e.g. 40106, a token not valid for the advertiser);
 * - 'slow': TikTok takes `delayMs` (default 1 s) over the request, then APPLIES it and answers as usual — after a
 *   client's timeout shorter than that, the change still happens (an answer that comes too late).
 *
 * A rule fires for matching calls by probability (default 1) and, when `times` is set, at most that many
 * times ("the next N calls to endpoint X").
 */
import type { SimEndpoint } from './endpoints';
import { mulberry32 } from './prng';

export type FaultKind = 'http5xx' | 'code50000' | 'rate-limit' | 'drop' | 'lost-ack' | 'tiktok-code' | 'slow';

export interface FaultRule {
  kind: FaultKind;
  /** One endpoint, several, or every endpoint when omitted. */
  endpoint?: SimEndpoint | readonly SimEndpoint[];
  /** Chance per matching call, 0..1 (default 1). */
  probability?: number;
  /** Fire at most this many times, then the rule is spent (default: unlimited). */
  times?: number;
  /** HTTP status for 'http5xx' (default 503) and 'tiktok-code' (default 200). */
  status?: number;
  /** For 'tiktok-code': the envelope's code and message. */
  code?: number;
  message?: string;
  /** For 'slow': how long TikTok takes before it applies the request and answers (default 1,000 ms). */
  delayMs?: number;
}

export interface FiredFault {
  kind: FaultKind;
  endpoint: SimEndpoint;
  status?: number;
  code?: number;
  message?: string;
  delayMs?: number;
}

interface ActiveRule extends FaultRule {
  id: number;
  remaining: number;
}

/** The fault table of one simulator. */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;
  private random: () => number;
  /** Every fault fired, in order (for tests). */
  readonly fired: FiredFault[] = [];

  constructor(private readonly seed = 1) {
    this.random = mulberry32(seed);
  }

  /** Adds a rule; returns its id (for `remove`). Rules are checked in insertion order; the first that fires wins. */
  add(rule: FaultRule): number {
    if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) throw new RangeError('probability must be within 0..1');
    const id = this.nextId++;
    this.rules.push({ ...rule, id, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  /** The next `times` calls to `endpoint` fail with `kind`. */
  failNext(endpoint: SimEndpoint | readonly SimEndpoint[], kind: FaultKind, times = 1, status?: number): number {
    return this.add({ endpoint, kind, times, status });
  }

  remove(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  /** Removes every rule and restarts the random sequence from the seed. */
  reset(): void {
    this.rules = [];
    this.fired.length = 0;
    this.random = mulberry32(this.seed);
  }

  list(): FaultRule[] {
    return this.rules.map(({ kind, endpoint, probability, times, status, code, message, delayMs, remaining }) => ({ kind, endpoint, probability, times: Number.isFinite(remaining) ? remaining : times, status, code, message, delayMs }));
  }

  /** Decides the fault (if any) for one call. Consumes randomness only for probabilistic rules. */
  pick(endpoint: SimEndpoint): FiredFault | null {
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      const eps = r.endpoint === undefined ? null : typeof r.endpoint === 'string' ? [r.endpoint] : r.endpoint;
      if (eps && !eps.includes(endpoint)) continue;
      const p = r.probability ?? 1;
      if (p < 1 && this.random() >= p) continue;
      r.remaining--;
      const f: FiredFault = {
        kind: r.kind,
        endpoint,
        ...(r.kind === 'http5xx' ? { status: r.status ?? 503 } : {}),
        ...(r.kind === 'tiktok-code' ? { status: r.status ?? 200, code: r.code ?? 40000, message: r.message ?? 'Injected TikTok answer.' } : {}),
        ...(r.kind === 'slow' ? { delayMs: r.delayMs ?? 1000 } : {}),
      };
      this.fired.push(f);
      if (r.remaining <= 0) this.rules = this.rules.filter((x) => x !== r);
      return f;
    }
    return null;
  }
}
