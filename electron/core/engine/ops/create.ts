/**
 * The one audience-creation rule, the same through every host (the desktop app's `audiences:create`, `cohort-relay
 * sync --audience NAME`): a new audience is never silently joined to an audience TikTok already has. An existing
 * TikTok audience is synced into only when the user names it by its TikTok id (the app's "existing audience" pick,
 * `--audience-id`): its members were uploaded by hand or by another tool, and a sync into it changes who that
 * audience targets. A same-named audience of the same kind (customer file or partner) is refused with both ways out.
 */
import { AppError } from '../../../../shared/errors';
import type { Store } from '../../store';
import type { AudienceRecord } from '../../store/audiences-repo';
import { sameAudienceName } from '../../sync/audience-api';
import type { AudienceSpec } from '../../sync/sync-service';
import { tiktokAudienceApi, tiktokPartnerApi } from '../../sync/tiktok-audience-api';
import type { UseHooks } from '../audience-use';
import type { App } from './app';

export type { AudienceSpec } from '../../sync/sync-service';

/** What the creation rule asks TikTok about: the name a new audience would get in an ad account. */
export interface NewAudienceName {
  advertiserId: string;
  connectionId: string | null;
  name: string;
  api?: 'file' | 'segment';
  /** Ends the question to TikTok at once (Ctrl-C, the app's Cancel): it is refused as CANCELLED. */
  signal?: AbortSignal;
}

/**
 * The local audience of this ad account whose name is `name` or differs from it only in case (sameAudienceName), if
 * any; `except`: an audience left out (renaming an audience to another case of its own name is no clash).
 */
export function localNamesake(store: Store, advertiserId: string, name: string, except?: number): AudienceRecord | undefined {
  const exact = store.audiences.findByName(advertiserId, name);
  if (exact && exact.id !== except) return exact;
  return store.audiences.list().find((a) => a.advertiserId === advertiserId && a.id !== except && sameAudienceName(a.name, name));
}

/** The words of a local same-name refusal: the name as it is saved, and why a name differing in case is the same. */
export function localNamesakeMessage(name: string, existing: Pick<AudienceRecord, 'name'>, fix: string): string {
  const caseNote = existing.name === name ? '' : ` ("${name}" differs from it only in case, which counts as the same name)`;
  return `An audience named "${existing.name}" already exists for this ad account${caseNote}. ${fix}`;
}

/** The refusal, with both ways out in the words of every host. */
export function namesakeMessage(name: string, advertiserId: string, tiktokAudienceId: string): string {
  return (
    `TikTok already has an audience named "${name}" in ad account ${advertiserId} (TikTok id ${tiktokAudienceId}), and Cohort Relay does not take over an audience it did not create unless you pick it. ` +
    `To sync into that audience, pick it as an existing audience (on the command line: --audience-id ${tiktokAudienceId}); to create a new audience, choose another name.`
  );
}

/**
 * Refuses a new audience whose name an audience of the same kind at TikTok already has (a read of the ad account's
 * audience list; nothing is created). `hooks`: what the host wraps TikTok calls in (the sandbox, re-connect marks).
 */
export async function refuseTiktokNamesake(app: App, req: NewAudienceName, hooks: Pick<UseHooks, 'prepare' | 'remote'> = {}): Promise<void> {
  await hooks.prepare?.({ connectionId: req.connectionId, advertiserId: req.advertiserId });
  const ask = async () => {
    const client = await app.clientFor({ connectionId: req.connectionId, advertiserId: req.advertiserId });
    const partner = req.api === 'segment';
    // "Buyers" at TikTok is a namesake of a new "buyers" too (sameAudienceName).
    const found = await (partner ? tiktokPartnerApi(client, req.advertiserId, req.signal) : tiktokAudienceApi(client, req.advertiserId, req.signal)).findByName(req.name, { anyCase: true });
    // A partner audience never takes a customer-file namesake's name as its own, nor the reverse: those are different audiences.
    return found.find((r) => ((r.audienceType ?? '').toLowerCase() === 'partner') === partner);
  };
  const namesake = await (hooks.remote ? hooks.remote(req.connectionId, ask) : ask());
  if (namesake) {
    const caseNote = namesake.name === req.name ? '' : ` Names that differ only in case ("${req.name}", "${namesake.name}") count as the same.`;
    throw new AppError('INVALID_ARGUMENT', namesakeMessage(namesake.name, req.advertiserId, namesake.audienceId) + caseNote);
  }
}

/**
 * The local audience a sync names (by name, or by TikTok id to adopt an existing TikTok audience), recorded when new.
 * A saved audience keeps its key (asking for another is refused with the way out); a new name follows the creation rule.
 */
export async function findOrCreateAudience(app: App, spec: Omit<AudienceSpec, 'connectionId'> & { connectionId?: string | null }, hooks: Pick<UseHooks, 'prepare' | 'remote'> = {}, signal?: AbortSignal): Promise<AudienceRecord> {
  const named = await namedSpec(app, spec, hooks, signal);
  return asksTiktok(named, hooks, () => app.sync.ensureAudience(named));
}

/**
 * The audience a dry run of `findOrCreateAudience(spec)` plans, refused as it would be, with nothing saved: no audience
 * row, no source, limit, mode or mapping change (a new one has id 0). `removalLimitPct`: the limit the sync would save.
 */
export async function draftAudience(app: App, spec: Omit<AudienceSpec, 'connectionId'> & { connectionId?: string | null }, removalLimitPct?: number | null, hooks: Pick<UseHooks, 'prepare' | 'remote'> = {}, signal?: AbortSignal): Promise<{ audience: AudienceRecord; setAside: boolean }> {
  const named = await namedSpec(app, spec, hooks, signal);
  return asksTiktok(named, hooks, () => app.sync.draftAudience(named, removalLimitPct));
}

/** `fn` in the host's wrapping of TikTok calls when it reads the TikTok audience the spec names by id (to adopt it). */
async function asksTiktok<T>(spec: AudienceSpec, hooks: Pick<UseHooks, 'prepare' | 'remote'>, fn: () => Promise<T>): Promise<T> {
  if (!spec.tiktokAudienceId) return fn();
  await hooks.prepare?.({ connectionId: spec.connectionId, advertiserId: spec.advertiserId });
  return hooks.remote ? hooks.remote(spec.connectionId, fn) : fn();
}

/** The spec with its name trimmed ("Acme Buyers " is "Acme Buyers") and its connection, a new name checked against TikTok's. */
async function namedSpec(app: App, spec: Omit<AudienceSpec, 'connectionId'> & { connectionId?: string | null }, hooks: Pick<UseHooks, 'prepare' | 'remote'>, signal?: AbortSignal): Promise<AudienceSpec> {
  const connectionId = spec.connectionId ?? app.store.connections.findByAdvertiser(spec.advertiserId)?.id ?? null;
  const name = spec.name?.trim() || undefined;
  if (name && !spec.tiktokAudienceId && !app.store.audiences.findByName(spec.advertiserId, name)) {
    // "buyers" when "Buyers" is saved: one of them, not both; the saved one is synced into by its name as saved.
    const other = localNamesake(app.store, spec.advertiserId, name);
    if (other) throw new AppError('INVALID_ARGUMENT', localNamesakeMessage(name, other, `To sync into it, give its name as saved ("${other.name}"); for a new audience, choose another name.`));
    await refuseTiktokNamesake(app, { advertiserId: spec.advertiserId, connectionId, name, api: spec.api, signal }, hooks);
  }
  return { ...spec, name, connectionId };
}

