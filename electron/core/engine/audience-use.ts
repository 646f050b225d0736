/**
 * Putting synced audiences to work at TikTok (issue #14 §1): attach them to ad groups as Include or Exclude (a
 * suppression list) and see which ad groups use them, build and refresh lookalikes, share them with other ad
 * accounts of the Business Center, delete several at TikTok after detaching them, and the options TikTok takes
 * only on create.
 *
 * Every operation here that changes something at TikTok is confirmed by the user before it is called (the
 * desktop's dialogs, the CLI's --yes): the words are shared/audience-use-text.ts. These calls are not the
 * 24-per-day audience updates; they go through the client's app-level rate limiter like every call.
 *
 * Used by the engine's handler map (desktop, web host) and by the CLI, each with its own `UseHooks`.
 */
import { AppError, toErrorShape } from '../../../shared/errors';
import type { Handlers } from '../../../shared/ipc/contract';
import {
  DELETE_BATCH,
  LOOKALIKE_MIN_SEED,
  type AdGroupsView,
  type ApplyMode,
  type ApplyResultView,
  type AudienceSubType,
  type AudienceUsageEntry,
  type CampaignUseView,
  type CreateOptionsView,
  type DeleteAtTiktokView,
  type LookalikeOs,
  type LookalikeSize,
  type LookalikeView,
  type ShareResultView,
  type ShareView,
} from '../../../shared/ipc/audience-use-dto';
import type { CohortRelayApp } from '../app';
import type { AudienceRecord } from '../store/audiences-repo';
import { AUDIENCE_SETTINGS } from '../store/settings-keys';
import { readCreateOptions, writeCreateOptions } from '../sync/create-options';
import type { TikTokClient } from '../tiktok/client';

/** What a host adds around TikTok calls (the engine: start the sandbox, mark a connection TikTok refused). */
export interface UseHooks {
  /** Before any TikTok call for this audience's connection. */
  prepare?(a: Pick<AudienceRecord, 'connectionId' | 'advertiserId'>): Promise<void>;
  /** Wraps a TikTok call. */
  remote?<T>(connectionId: string | null, fn: () => Promise<T>): Promise<T>;
  /** True while a sync of the audience runs (delete is refused then). */
  isRunning?(audienceId: number): boolean;
  /** Told after an audience changed here (the screens re-read it). */
  changed?(audienceId: number): void;
  now?(): Date;
}

/** A lookalike made here from a local audience (kept in settings: TikTok's list does not say whose seed it is). */
interface StoredLookalike {
  tiktokAudienceId: string;
  name: string;
  audienceSize: LookalikeSize;
  mobileOs: LookalikeOs;
  locationIds: string[];
  includeSource: boolean;
  createdAt: string;
  refreshedAt: string | null;
}

/** TikTok words that mean "this lookalike's seed is gone". */
const SEED_GONE = /source audience.*(deleted|does not exist|not exist)|seed.*(deleted|not exist)/i;

export class AudienceUse {
  constructor(
    private readonly app: CohortRelayApp,
    private readonly hooks: UseHooks = {},
  ) {}

  private now(): Date {
    return this.hooks.now?.() ?? new Date();
  }

  /** The local audience, synced (it has a TikTok id), with a client for its connection. */
  private async synced(id: number, action: string): Promise<{ a: AudienceRecord & { tiktokAudienceId: string }; client: TikTokClient }> {
    const a = this.app.store.audiences.require(id);
    if (!a.tiktokAudienceId) throw new AppError('INVALID_ARGUMENT', `"${a.name}" does not exist at TikTok yet, so it cannot ${action}. Sync it first: the first sync creates it.`);
    await this.hooks.prepare?.(a);
    const client = await this.app.clientFor(a);
    return { a: a as AudienceRecord & { tiktokAudienceId: string }, client };
  }

  private call<T>(a: Pick<AudienceRecord, 'connectionId'>, fn: () => Promise<T>): Promise<T> {
    return this.hooks.remote ? this.hooks.remote(a.connectionId, fn) : fn();
  }

  // ── Ad groups ───────────────────────────────────────────────────────────────

  /** The advertiser's campaigns and ad groups, each marked with how it uses this audience now. */
  async adGroups(id: number): Promise<AdGroupsView> {
    const { a, client } = await this.synced(id, 'be used in ad groups');
    const [{ campaigns }, { adGroups }] = await this.call(a, () => Promise.all([client.listCampaigns(a.advertiserId), client.listAdGroups(a.advertiserId)]));
    const byCampaign = new Map<string, CampaignUseView>(campaigns.map((c) => [c.campaignId, { campaignId: c.campaignId, name: c.name, status: c.status, adGroups: [] }]));
    for (const g of adGroups) {
      let c = byCampaign.get(g.campaignId);
      if (!c) byCampaign.set(g.campaignId, (c = { campaignId: g.campaignId, name: `Campaign ${g.campaignId}`, status: null, adGroups: [] }));
      const usage = g.excludedAudienceIds.includes(a.tiktokAudienceId) ? 'Exclude' : g.audienceIds.includes(a.tiktokAudienceId) ? 'Include' : null;
      c.adGroups.push({ adgroupId: g.adgroupId, name: g.name, status: g.status, usage });
    }
    return { audienceId: id, tiktokAudienceId: a.tiktokAudienceId, advertiserId: a.advertiserId, campaigns: [...byCampaign.values()] };
  }

  /** Attaches the audience to ad groups as Include / Exclude, or detaches it; 100 ad groups per request. */
  async apply(id: number, adgroupIds: readonly string[], mode: ApplyMode): Promise<ApplyResultView> {
    const { a, client } = await this.synced(id, 'be used in ad groups');
    const unique = [...new Set(adgroupIds)];
    const requestIds: (string | null)[] = [];
    for (let i = 0; i < unique.length; i += 100) {
      const group = unique.slice(i, i + 100);
      const r = await this.call(a, () =>
        client.applyAudience(mode === 'Disconnect' ? { advertiserId: a.advertiserId, audienceId: a.tiktokAudienceId, adgroupIds: group, action: 'Disconnect' } : { advertiserId: a.advertiserId, audienceId: a.tiktokAudienceId, adgroupIds: group, action: 'Apply', usageMode: mode }),
      );
      requestIds.push(r.requestId);
    }
    this.hooks.changed?.(id);
    return { audienceId: id, mode, adgroupIds: unique, requestIds };
  }

  /** The ad groups the audience is applied to now (TikTok's apply log). */
  async usage(id: number): Promise<AudienceUsageEntry[]> {
    const { a, client } = await this.synced(id, 'be used in ad groups');
    const { entries } = await this.call(a, () => client.applyLog(a.advertiserId, [a.tiktokAudienceId]));
    return entries.map((e) => ({ adgroupId: e.adgroupId, adgroupName: e.adgroupName, usage: e.usageMode, appliedAt: e.actionTimestamp }));
  }

  // ── Lookalikes ──────────────────────────────────────────────────────────────

  private stored(id: number): StoredLookalike[] {
    return this.app.store.settings.read(AUDIENCE_SETTINGS.lookalikes(id)) as StoredLookalike[];
  }

  /**
   * What deleting these audiences at TikTok would touch, read without changing anything: per audience the ad groups
   * using it (TikTok's apply log, only for one that exists there) and the lookalikes made here from it.
   */
  async deleteFacts(ids: readonly number[]): Promise<{ name: string; adGroups: number; lookalikes: number }[]> {
    const facts = [];
    for (const id of ids) {
      const a = this.app.store.audiences.require(id);
      facts.push({ name: a.name, adGroups: a.tiktokAudienceId ? (await this.usage(id)).length : 0, lookalikes: this.stored(id).length });
    }
    return facts;
  }

  /** Lookalikes made here from the audience, with their reach at TikTok when it can be read. */
  async lookalikes(id: number): Promise<LookalikeView[]> {
    const a = this.app.store.audiences.require(id);
    const list = this.stored(id);
    if (list.length === 0) return [];
    await this.hooks.prepare?.(a);
    const client = await this.app.clientFor(a);
    const ids = list.map((l) => l.tiktokAudienceId);
    const found = await this.call(a, () => client.getAudiences(a.advertiserId, a.tiktokAudienceId ? [...ids, a.tiktokAudienceId] : ids, { historySize: 1 }));
    const byId = new Map(found.audiences.map((x) => [x.audienceId, x]));
    const seedDeleted = !a.tiktokAudienceId || !byId.has(a.tiktokAudienceId);
    return list.map((l) => {
      const t = byId.get(l.tiktokAudienceId);
      return { ...l, coverNum: t?.coverNum ?? null, isValid: t?.isValid ?? null, existsAtTiktok: !!t, seedDeleted };
    });
  }

  /**
   * Creates a lookalike from the synced audience. Refused here, before any call, while the seed has fewer than
   * 100 matched people at TikTok (TikTok refuses it too), or while TikTok is still processing it.
   */
  async createLookalike(id: number, p: { name: string; audienceSize: LookalikeSize; mobileOs: LookalikeOs; locationIds: string[]; includeSource?: boolean }): Promise<LookalikeView> {
    const { a, client } = await this.synced(id, 'seed a lookalike');
    const [seed] = (await this.call(a, () => client.getAudiences(a.advertiserId, [a.tiktokAudienceId], { historySize: 1 }))).audiences;
    if (!seed) throw new AppError('AUDIENCE_NOT_FOUND', `TikTok no longer has "${a.name}", so it cannot seed a lookalike. Sync it again to re-create it.`);
    if (seed.coverNum < LOOKALIKE_MIN_SEED) {
      throw new AppError(
        'AUDIENCE_TOO_SMALL',
        `"${a.name}" has ${seed.coverNum} matched people at TikTok; a lookalike needs a seed of at least ${LOOKALIKE_MIN_SEED}. Add people to the cohort and sync, or wait until TikTok finishes matching it.`,
      );
    }
    const includeSource = p.includeSource ?? false;
    const r = await this.call(a, () =>
      client.lookalikeCreate({
        advertiserId: a.advertiserId,
        name: p.name,
        spec: { sourceAudienceId: a.tiktokAudienceId, includeSource, mobileOs: p.mobileOs, placements: ['TIKTOK'], locationIds: p.locationIds, audienceSize: p.audienceSize },
      }),
    );
    const entry: StoredLookalike = { tiktokAudienceId: r.audienceId, name: p.name, audienceSize: p.audienceSize, mobileOs: p.mobileOs, locationIds: [...p.locationIds], includeSource, createdAt: this.now().toISOString(), refreshedAt: null };
    this.app.store.settings.write(AUDIENCE_SETTINGS.lookalikes(id), [...this.stored(id), entry]);
    this.hooks.changed?.(id);
    return { ...entry, coverNum: null, isValid: null, existsAtTiktok: true, seedDeleted: false };
  }

  /** Refreshes one of the audience's lookalikes from its seed now. */
  async refreshLookalike(id: number, lookalikeId: string): Promise<LookalikeView> {
    const a = this.app.store.audiences.require(id);
    const list = this.stored(id);
    const l = list.find((x) => x.tiktokAudienceId === lookalikeId);
    if (!l) throw new AppError('INVALID_ARGUMENT', `Lookalike ${lookalikeId} was not made from "${a.name}" here. Pick one listed under its lookalikes.`);
    if (!a.tiktokAudienceId) throw new AppError('AUDIENCE_NOT_FOUND', `The seed "${a.name}" no longer exists at TikTok, so lookalike "${l.name}" can no longer be refreshed.`);
    await this.hooks.prepare?.(a);
    const client = await this.app.clientFor(a);
    try {
      await this.call(a, () => client.lookalikeRefresh(a.advertiserId, [lookalikeId]));
    } catch (err) {
      if (SEED_GONE.test(toErrorShape(err).message)) throw new AppError('AUDIENCE_NOT_FOUND', `The seed "${a.name}" was deleted at TikTok, so lookalike "${l.name}" can no longer be refreshed.`, { cause: err });
      throw err;
    }
    l.refreshedAt = this.now().toISOString();
    this.app.store.settings.write(AUDIENCE_SETTINGS.lookalikes(id), list);
    this.hooks.changed?.(id);
    return { ...l, coverNum: null, isValid: null, existsAtTiktok: true, seedDeleted: false };
  }

  // ── Sharing ─────────────────────────────────────────────────────────────────

  /** The ad accounts the audience is shared with. */
  async shares(id: number): Promise<ShareView[]> {
    const { a, client } = await this.synced(id, 'be shared');
    const { entries } = await this.call(a, () => client.shareLog(a.advertiserId, a.tiktokAudienceId));
    return entries.map((e) => ({ advertiserId: e.sharedAdvertiserId, advertiserName: e.sharedAdvertiserName, status: e.status }));
  }

  /** Shares audiences with ad accounts of the same Business Center; grouped by owning account, 10 × 10 per request. */
  async share(ids: readonly number[], advertiserIds: readonly string[]): Promise<ShareResultView> {
    const targets = [...new Set(advertiserIds)];
    const groups = new Map<string, { a: AudienceRecord & { tiktokAudienceId: string }; client: TikTokClient; ids: string[]; local: number[] }>();
    for (const id of [...new Set(ids)]) {
      const { a, client } = await this.synced(id, 'be shared');
      const own = targets.filter((t) => t === a.advertiserId);
      if (own.length > 0) throw new AppError('INVALID_ARGUMENT', `"${a.name}" belongs to ad account ${a.advertiserId}: it cannot be shared with its own account. Pick other accounts.`);
      const g = groups.get(a.advertiserId) ?? { a, client, ids: [], local: [] };
      g.ids.push(a.tiktokAudienceId);
      g.local.push(id);
      groups.set(a.advertiserId, g);
    }
    let pairs = 0;
    let requests = 0;
    for (const g of groups.values()) {
      const r = await this.call(g.a, () => g.client.shareAudiences({ advertiserId: g.a.advertiserId, audienceIds: g.ids, sharedAdvertiserIds: targets }));
      pairs += g.ids.length * targets.length;
      requests += r.requestIds.length;
      for (const id of g.local) this.hooks.changed?.(id);
    }
    return { pairs, requests };
  }

  async unshare(id: number, advertiserId: string): Promise<null> {
    const { a, client } = await this.synced(id, 'be shared');
    await this.call(a, () => client.shareCancel({ advertiserId: a.advertiserId, audienceId: a.tiktokAudienceId, sharedAdvertiserId: advertiserId }));
    this.hooks.changed?.(id);
    return null;
  }

  // ── Deleting at TikTok ──────────────────────────────────────────────────────

  /** Detaches an audience from every ad group using it (TikTok's apply log); resolves with how many. */
  async detachAll(id: number): Promise<number> {
    const a = this.app.store.audiences.require(id);
    if (!a.tiktokAudienceId) return 0;
    const usage = await this.usage(id);
    const adgroupIds = [...new Set(usage.map((u) => u.adgroupId))];
    if (adgroupIds.length > 0) await this.apply(id, adgroupIds, 'Disconnect');
    return adgroupIds.length;
  }

  /**
   * Deletes audiences at TikTok and here: each is first detached from the ad groups using it, then customer-file
   * audiences are deleted 100 per request per ad account, partner audiences one by one; last, each is deleted here
   * (the same path as the row menu's delete), each batch as soon as TikTok deleted it. Refused before any call while a
   * sync of one of them runs. If TikTok refuses a request, the audiences of that request (and later ones) stay here.
   */
  async deleteAtTiktok(ids: readonly number[]): Promise<DeleteAtTiktokView> {
    const records = [...new Set(ids)].map((id) => this.app.store.audiences.require(id));
    for (const a of records) if (this.hooks.isRunning?.(a.id)) throw new AppError('SYNC_RUNNING', `"${a.name}" is syncing now. Wait for the sync to finish, then delete it.`);
    const detached = new Map<number, number>();
    for (const a of records) detached.set(a.id, await this.detachAll(a.id));
    let deleteRequests = 0;
    const deleted: DeleteAtTiktokView['deleted'] = [];
    const forget = async (a: AudienceRecord, atTiktok: boolean): Promise<void> => {
      // The row menu's path: a partner audience is deleted at TikTok there; a customer-file one already is.
      await this.call(a, () => this.app.deleteAudience(a.id, atTiktok));
      deleted.push({ id: a.id, name: a.name, detachedFrom: detached.get(a.id) ?? 0 });
      this.hooks.changed?.(a.id);
    };
    const byAccount = new Map<string, AudienceRecord[]>();
    for (const a of records) {
      if (!a.tiktokAudienceId || a.api === 'segment') continue;
      byAccount.set(a.advertiserId, [...(byAccount.get(a.advertiserId) ?? []), a]);
    }
    for (const group of byAccount.values()) {
      const first = group[0] as AudienceRecord;
      await this.hooks.prepare?.(first);
      const client = await this.app.clientFor(first);
      for (let i = 0; i < group.length; i += DELETE_BATCH) {
        const batch = group.slice(i, i + DELETE_BATCH);
        await this.call(first, () => client.deleteAudiences(first.advertiserId, batch.map((a) => a.tiktokAudienceId as string)));
        deleteRequests++;
        // Each batch TikTok deleted is forgotten here at once: a later refusal leaves only its own audiences.
        for (const a of batch) await forget(a, false);
      }
    }
    for (const a of records) if (!deleted.some((d) => d.id === a.id)) await forget(a, a.api === 'segment');
    return { deleted, deleteRequests };
  }

  // ── Creation options ────────────────────────────────────────────────────────

  async createOptions(id: number): Promise<CreateOptionsView> {
    const a = this.app.store.audiences.require(id);
    const o = readCreateOptions(this.app.store.settings, id);
    let atTiktok: CreateOptionsView['atTiktok'] = null;
    if (a.tiktokAudienceId && a.api !== 'segment') {
      await this.hooks.prepare?.(a);
      const client = await this.app.clientFor(a);
      const [t] = (await this.call(a, () => client.getAudiences(a.advertiserId, [a.tiktokAudienceId as string], { historySize: 1 }))).audiences;
      if (t) atTiktok = { audienceEnhancement: t.audienceEnhancement ?? null, enhancementStatus: t.enhancementStatus ?? null, subType: t.audienceSubType, expiresAt: t.expiredTime };
    }
    return { audienceId: id, ...o, editable: !a.tiktokAudienceId && a.api !== 'segment', atTiktok };
  }

  /** True once the audience exists at TikTok (its creation options were sent then). */
  isCreatedAtTiktok(id: number): boolean {
    return this.app.store.audiences.require(id).tiktokAudienceId !== null;
  }

  async setCreateOptions(id: number, o: { retentionInDays: number | null; audienceEnhancement: boolean; subType: AudienceSubType }): Promise<CreateOptionsView> {
    const a = this.app.store.audiences.require(id);
    if (a.api === 'segment') throw new AppError('INVALID_ARGUMENT', `"${a.name}" is a partner audience: TikTok's partner API takes no retention, enhancement or sub type.`);
    if (a.tiktokAudienceId) throw new AppError('INVALID_ARGUMENT', `"${a.name}" already exists at TikTok: retention, enhancement and sub type are set when TikTok creates an audience and cannot change now.`);
    writeCreateOptions(this.app.store.settings, id, o);
    this.hooks.changed?.(id);
    return this.createOptions(id);
  }
}

type UseChannel = Extract<keyof Handlers, `use:${string}`>;

/** The contract's `use:*` handlers on one AudienceUse. */
export function audienceUseHandlers(use: AudienceUse): Pick<Handlers, UseChannel> {
  return {
    'use:adGroups': async ({ id }) => use.adGroups(id),
    'use:apply': async ({ id, adgroupIds, mode }) => use.apply(id, adgroupIds, mode),
    'use:usage': async ({ id }) => use.usage(id),
    'use:lookalikes': async ({ id }) => use.lookalikes(id),
    'use:createLookalike': async ({ id, ...p }) => use.createLookalike(id, p),
    'use:refreshLookalike': async ({ id, lookalikeId }) => use.refreshLookalike(id, lookalikeId),
    'use:shares': async ({ id }) => use.shares(id),
    'use:share': async ({ ids, advertiserIds }) => use.share(ids, advertiserIds),
    'use:unshare': async ({ id, advertiserId }) => use.unshare(id, advertiserId),
    'use:deleteAtTiktok': async ({ ids }) => use.deleteAtTiktok(ids),
    'use:createOptions': async ({ id }) => use.createOptions(id),
    'use:setCreateOptions': async ({ id, ...o }) => use.setCreateOptions(id, o),
  };
}
