/**
 * The offline sandbox's model of TikTok (tiktok-api.md §9): apps, tokens, auth codes, advertisers, uploaded
 * files, audiences with membership, campaigns and ad groups, shares. Pure in-memory logic. This module holds what
 * every API area shares: the state, and the rules they all read (tokens, advertisers, which audiences an ad account
 * sees, processing, the 1,000 floor and expiry, how an audience renders). The areas change it (oauth.ts,
 * file-audiences.ts, audiences.ts, partner.ts, ad-groups.ts, lookalike.ts, share.ts, overlap.ts), routes.ts maps
 * endpoints to them and server.ts turns HTTP into calls there.
 *
 * Membership keys (what `membership()` returns):
 * - single-type file audiences: the lowercase hash, as uploaded;
 * - MULTIPLE_TYPES file audiences: one key per row, its non-empty cells as "header=value" (header lowercased),
 *   sorted and joined by ","; e.g. "email_sha256=ab…,phone_sha256=cd…";
 * - partner (segment) audiences: one key per identifier, "<ID_SCHEMA>:<hash>", e.g. "EMAIL_SHA256:ab…".
 */
import { AUDIENCE_FLOOR } from '../../../shared/domain';
import { randomHex } from './prng';
import { fail, headerValue, tiktokTime, type SimRequest } from './request';
import { SANDBOX_ACCESS_TOKEN, SANDBOX_ADVERTISERS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, SANDBOX_CAMPAIGNS, SANDBOX_SCOPES } from './seed';
import { DEFAULT_SIM_SETTINGS, type SimSettings } from './settings';

export interface App {
  appId: string;
  secret: string;
}
export interface Advertiser {
  advertiserId: string;
  name: string;
  appId: string;
}
export interface Token {
  token: string;
  appId: string;
  advertiserIds: string[];
  scope: number[];
  state: 'ok' | 'revoked' | 'expired';
  /** False: advertiser/get and advertiser/info refuse it. Absent (tokens saved by older versions): granted. */
  adAccountRead?: boolean;
}
export interface AuthCode {
  code: string;
  appId: string;
  issuedAt: number;
  used: boolean;
}
export interface UploadedFile {
  filePath: string;
  advertiserId: string;
  calculateType: string;
  rows: string[];
  uploadedAt: number;
}
export interface HistoryEntry {
  at: number;
  action: string;
  detail: string;
  msg: string | null;
}
export interface Audience {
  audienceId: string;
  advertiserId: string;
  name: string;
  kind: 'file' | 'partner' | 'lookalike';
  calculateType: string;
  members: Set<string>;
  createdAt: number;
  lastModifiedAt: number;
  processingUntil: number;
  /** cover_num shown while processing (the value before the change). */
  coverBefore: number;
  /** Until when the last REPLACE is unfinished (another REPLACE is refused); absent when none was sent. */
  replaceUntil?: number;
  retentionInDays: number | null;
  history: HistoryEntry[];
  /** create's audience_sub_type (SDK create yml: NORMAL by default). Absent in states saved by older versions: NORMAL. */
  subType?: AudienceSubType;
  /** create's audience_enhancement (SDK create yml: false by default). Absent in older saved states: false. */
  enhancement?: boolean;
  /** Lookalike audiences only: the spec as sent (snake_case, as get shows it) and the estimated reach. */
  lookalike?: { spec: Record<string, unknown>; seedId: string; size: number };
}

/**
 * Who is one person, as TikTok's user graph would know it: identifiers sent together in one row of a partner mapping
 * (`SCHEMA:hash`, e.g. a person's email and phone) belong to one user, and cover_num counts users, not identifiers.
 * A union-find over the identifiers; `version` changes with every new link.
 */
export class PersonGraph {
  private readonly parent = new Map<string, string>();
  private changes = 0;

  get version(): number {
    return this.changes;
  }

  find(key: string): string {
    let root = key;
    for (let p = this.parent.get(root); p !== undefined && p !== root; p = this.parent.get(root)) root = p;
    for (let k = key, p = this.parent.get(k); p !== undefined && p !== root; k = p, p = this.parent.get(k)) this.parent.set(k, root);
    return root;
  }

  /** The identifiers of one row are one person. */
  link(keys: readonly string[]): void {
    if (keys.length < 2) return;
    const first = this.find(keys[0]!);
    for (const k of keys.slice(1)) {
      const r = this.find(k);
      if (r === first) continue;
      this.parent.set(r, first);
      this.changes++;
    }
  }

  /** How many people these identifiers are. */
  people(keys: Iterable<string>): number {
    const roots = new Set<string>();
    for (const k of keys) roots.add(this.find(k));
    return roots.size;
  }

  /** The links, to save; `restore` takes them back. */
  links(): [string, string][] {
    return [...this.parent.entries()].filter(([k, p]) => k !== p);
  }

  restore(links: readonly [string, string][]): void {
    for (const [k, p] of links) this.parent.set(k, p);
    this.changes++;
  }
}

/**
 * An audience's membership: a Set that counts its changes, so saving the state rewrites the membership file of an
 * audience only when it changed (a 10 M membership is 320 MB on disk). Build new memberships as MemberSet; a plain
 * Set still works, its audience is just written on every save.
 */
export class MemberSet extends Set<string> {
  private changes = 0;

  /** Changes since it was made: equal revisions of the same set mean equal contents. */
  get revision(): number {
    return this.changes;
  }

  override add(key: string): this {
    this.changes++;
    return super.add(key);
  }

  override delete(key: string): boolean {
    this.changes++;
    return super.delete(key);
  }

  override clear(): void {
    this.changes++;
    super.clear();
  }
}

/** A seeded ad group: the audiences it targets (include) and keeps out (exclude). */
export interface SimAdGroup {
  adgroupId: string;
  advertiserId: string;
  campaignId: string;
  name: string;
  reachFrequency: boolean;
  include: string[];
  exclude: string[];
}
export interface SimCampaign {
  campaignId: string;
  advertiserId: string;
  name: string;
  reachFrequency: boolean;
}
/** The latest Apply of an audience to an ad group (apply/log lists these; a Disconnect removes it). */
export interface ApplyEntry {
  audienceId: string;
  adgroupId: string;
  usageMode: 'Include' | 'Exclude';
  at: number;
}
/** An audience shared with another ad account of the Business Center. */
export interface ShareEntry {
  audienceId: string;
  advertiserId: string;
  at: number;
}

/** The AudienceSubType enum of the SDK's create yml (strict: anything else is a parameter error). */
export const AUDIENCE_SUB_TYPES = ['NORMAL', 'REACH_FREQUENCY'] as const;
export type AudienceSubType = (typeof AUDIENCE_SUB_TYPES)[number];

/** A read-only view of an audience for tests and the CLI. */
export interface AudienceSnapshot {
  audienceId: string;
  advertiserId: string;
  name: string;
  kind: 'file' | 'partner' | 'lookalike';
  calculateType: string;
  size: number;
  coverNum: number;
  isValid: boolean;
  processing: boolean;
  createdAt: number;
  history: { at: number; action: string; detail: string }[];
}

/** One request as the simulator saw it (tests count calls with it). */
export interface SimRequestLogEntry {
  at: number;
  endpoint: string;
  method: string;
  code: number | null;
  httpStatus: number;
  fault: string | null;
}

const DAY_MS = 86_400_000;

/** TikTok's words for 40002 on an audience it will not edit now: still processing, or unavailable for good (S7). */
export const NOT_EDITABLE_MESSAGE = 'Audience is not editable, please check audience status';

export class SimStore {
  settings: SimSettings;
  readonly apps = new Map<string, App>();
  readonly advertisers = new Map<string, Advertiser>();
  readonly tokens = new Map<string, Token>();
  readonly authCodes = new Map<string, AuthCode>();
  readonly files = new Map<string, UploadedFile>();
  readonly audiences = new Map<string, Audience>();
  /** `${audienceId}|${utcDay}` → audience-modifying calls counted that day. */
  readonly dailyCalls = new Map<string, number>();
  /** Which identifiers are one person (partner mapping rows): cover_num counts people. */
  readonly people = new PersonGraph();
  private readonly peopleCounts = new WeakMap<Set<string>, { revision: number; version: number; count: number }>();
  readonly rateWindows = new Map<string, number[]>();
  readonly campaigns = new Map<string, SimCampaign>();
  readonly adGroups = new Map<string, SimAdGroup>();
  /** `${adgroupId}|${audienceId}` → the latest Apply still in force. */
  readonly applied = new Map<string, ApplyEntry>();
  /** `${audienceId}|${advertiserId}` → the share. */
  readonly shares = new Map<string, ShareEntry>();
  audienceCounter = 0;
  requestCounter = 0;
  readonly log: SimRequestLogEntry[] = [];

  constructor(
    readonly now: () => number,
    readonly random: () => number,
    settings: Partial<SimSettings> = {},
  ) {
    this.settings = { ...DEFAULT_SIM_SETTINGS, ...settings };
    this.apps.set(SANDBOX_APP_ID, { appId: SANDBOX_APP_ID, secret: SANDBOX_APP_SECRET });
    for (const a of SANDBOX_ADVERTISERS) this.advertisers.set(a.advertiserId, { ...a, appId: SANDBOX_APP_ID });
    this.tokens.set(SANDBOX_ACCESS_TOKEN, { token: SANDBOX_ACCESS_TOKEN, appId: SANDBOX_APP_ID, advertiserIds: SANDBOX_ADVERTISERS.map((a) => a.advertiserId), scope: [...SANDBOX_SCOPES], state: 'ok' });
    this.seedAds();
  }

  /** Campaigns and ad groups of every seeded advertiser; ids derive from the advertiser id (stable across restarts). */
  private seedAds(): void {
    for (const adv of SANDBOX_ADVERTISERS) {
      const tail = adv.advertiserId.slice(-2);
      SANDBOX_CAMPAIGNS.forEach((c, ci) => {
        const campaignId = `18${tail}0000000000000${ci + 1}`;
        this.campaigns.set(campaignId, { campaignId, advertiserId: adv.advertiserId, name: c.name, reachFrequency: c.reachFrequency });
        c.adGroups.forEach((name, gi) => {
          const adgroupId = `19${tail}000000000000${ci + 1}${gi + 1}`;
          this.adGroups.set(adgroupId, { adgroupId, advertiserId: adv.advertiserId, campaignId, name, reachFrequency: c.reachFrequency, include: [], exclude: [] });
        });
      });
    }
  }

  // ------------------------------------------------------------------ ids

  /** A TikTok-looking request id: UTC timestamp + random hex. */
  newRequestId(): string {
    this.requestCounter++;
    const d = new Date(this.now()).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    return `${d}${randomHex(this.random, 10).toUpperCase()}`;
  }

  /** The id of a new audience of any kind (file, partner, lookalike): one counter, so ids never repeat. */
  private newAudienceId(): string {
    this.audienceCounter++;
    return String(7_300_000_000_000_000_000n + BigInt(this.audienceCounter) * 7919n);
  }

  /**
   * Records a new audience of any kind as TikTok's create does (file, partner, lookalike alike): a new id, processing
   * from now, its history starting with the create of its first members.
   */
  addAudience(a: Pick<Audience, 'advertiserId' | 'name' | 'kind' | 'calculateType'> & Partial<Pick<Audience, 'members' | 'retentionInDays' | 'subType' | 'enhancement' | 'lookalike'>>): Audience {
    const now = this.now();
    const members = a.members ?? new MemberSet();
    const audience: Audience = {
      ...a,
      audienceId: this.newAudienceId(),
      members,
      createdAt: now,
      lastModifiedAt: now,
      processingUntil: now + this.settings.processingDelayMs,
      coverBefore: 0,
      retentionInDays: a.retentionInDays ?? null,
      history: [{ at: now, action: 'create', detail: String(members.size), msg: null }],
    };
    this.audiences.set(audience.audienceId, audience);
    return audience;
  }

  // ------------------------------------------------------------------ views for the handle and tests

  snapshot(audienceId: string): AudienceSnapshot | undefined {
    const a = this.audiences.get(audienceId);
    if (!a) return undefined;
    const v = this.view(a);
    return {
      audienceId: a.audienceId,
      advertiserId: a.advertiserId,
      name: a.name,
      kind: a.kind,
      calculateType: a.calculateType,
      size: a.members.size,
      coverNum: v.coverNum,
      isValid: v.isValid,
      processing: v.processing,
      createdAt: a.createdAt,
      history: a.history.map((h) => ({ at: h.at, action: h.action, detail: h.detail })),
    };
  }

  listSnapshots(advertiserId?: string): AudienceSnapshot[] {
    return [...this.audiences.values()].filter((a) => !advertiserId || a.advertiserId === advertiserId).map((a) => this.snapshot(a.audienceId) as AudienceSnapshot);
  }

  /** A copy of an audience's membership (see the module comment for key formats). */
  membership(audienceId: string): Set<string> | undefined {
    const a = this.audiences.get(audienceId);
    return a ? new Set(a.members) : undefined;
  }

  /** Ends processing now (one audience, or all). */
  settle(audienceId?: string): void {
    for (const a of this.audiences.values()) if (!audienceId || a.audienceId === audienceId) a.processingUntil = Math.min(a.processingUntil, this.now());
  }

  /** The rows an uploaded file contributed (tests inspect uploads). */
  fileRows(filePath: string): string[] | undefined {
    return this.files.get(filePath)?.rows.slice();
  }

  // ------------------------------------------------------------------ rules every area reads

  isVisibleTo(a: Audience, advertiserId: string): boolean {
    return a.advertiserId === advertiserId || this.shares.has(`${a.audienceId}|${advertiserId}`);
  }

  /** An audience the advertiser owns or was shared with; otherwise 40007. */
  visibleAudience(advertiserId: string, audienceId: string | null): Audience {
    const a = audienceId ? this.audiences.get(audienceId) : undefined;
    if (!a || !this.isVisibleTo(a, advertiserId)) fail(40007, `Custom audience ${audienceId ?? ''} does not exist.`);
    return a as Audience;
  }

  checkApp(appId: string, secret: string): void {
    const app = this.apps.get(appId);
    if (!app || app.secret !== secret) fail(40101, 'app_id and secret do not match.');
  }

  requireToken(req: SimRequest): Token {
    const value = headerValue(req.headers, 'access-token');
    if (!value) fail(40104, 'Access token is null, you should set it in http header with key Access-Token.');
    const t = this.tokens.get(value as string);
    if (!t || t.state === 'revoked') fail(40105, 'Access token is invalid or has been revoked.');
    if ((t as Token).state === 'expired') fail(40102, 'Access token has expired.');
    return t as Token;
  }

  requireAdvertiser(t: Token, advertiserId: string | null | undefined): string {
    if (!advertiserId) fail(40000, 'advertiser_id is required.');
    if (!t.advertiserIds.includes(advertiserId as string)) fail(40001, `No permission to operate advertiser ${advertiserId}.`);
    return advertiserId as string;
  }

  requireAudience(advertiserId: string, audienceId: string | null, kind: 'file' | 'partner' | 'any'): Audience {
    const a = audienceId ? this.audiences.get(audienceId) : undefined;
    if (!a || a.advertiserId !== advertiserId || (kind !== 'any' && a.kind !== kind)) fail(40007, `Custom audience ${audienceId ?? ''} does not exist.`);
    return a as Audience;
  }

  /** When an audience expires: retention_in_days after creation, else 365 days after its last change or use (§6). */
  expiresAt(a: Audience): number {
    return a.retentionInDays !== null ? a.createdAt + a.retentionInDays * DAY_MS : a.lastModifiedAt + 365 * DAY_MS;
  }

  isExpired(a: Audience): boolean {
    return this.now() >= this.expiresAt(a);
  }

  /**
   * How many people a partner audience's identifiers are (a person sent with email and phone is one), counted again
   * only when its members or the links changed.
   */
  peopleIn(members: Set<string>): number {
    const revision = members instanceof MemberSet ? members.revision : -1;
    const cached = this.peopleCounts.get(members);
    if (cached && revision >= 0 && cached.revision === revision && cached.version === this.people.version) return cached.count;
    const count = this.people.people(members);
    this.peopleCounts.set(members, { revision, version: this.people.version, count });
    return count;
  }

  view(a: Audience): { coverNum: number; isValid: boolean; processing: boolean; isExpiring: boolean } {
    const now = this.now();
    if (this.isExpired(a)) return { coverNum: 0, isValid: false, processing: false, isExpiring: false };
    const isExpiring = this.expiresAt(a) - now <= 60 * DAY_MS;
    if (now < a.processingUntil) return { coverNum: a.coverBefore, isValid: false, processing: true, isExpiring };
    const rate = this.settings.matchRate;
    const size = a.kind === 'partner' ? this.peopleIn(a.members) : a.members.size;
    const coverNum = a.lookalike ? a.lookalike.size : rate === 'exact' ? size : Math.floor(size * rate);
    return { coverNum, isValid: coverNum >= AUDIENCE_FLOOR, processing: false, isExpiring };
  }

  render(a: Audience, viewer = a.advertiserId): Record<string, unknown> & { type: string } {
    const v = this.view(a);
    const owner = viewer === a.advertiserId;
    return {
      audience_id: a.audienceId,
      name: a.name,
      type: a.kind === 'partner' ? 'Partner' : a.kind === 'lookalike' ? 'Lookalike Audience' : 'Customer File Audience',
      audience_sub_type: a.subType ?? 'NORMAL',
      calculate_type: a.calculateType,
      cover_num: v.coverNum,
      is_valid: v.isValid,
      is_expiring: v.isExpiring,
      shared: owner ? [...this.shares.values()].some((x) => x.audienceId === a.audienceId) : true,
      is_creator: owner,
      owner_id: a.advertiserId,
      is_auto_refresh: false,
      create_time: tiktokTime(a.createdAt, this.settings.timeZoneOffsetMinutes),
      expired_time: tiktokTime(this.expiresAt(a), this.settings.timeZoneOffsetMinutes),
      msg: null,
      error_msg: null,
      rule: null,
      // Set only for lookalike audiences (tiktok-api.md §3.4; the get yml's response_rule).
      lookalike_spec: a.lookalike?.spec ?? null,
    };
  }
}
