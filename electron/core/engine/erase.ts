/**
 * "Erase this person" (issue #12.4), the operation every host calls (the engine's `privacy:*` handlers, the CLI's
 * `erase`). A preview finds the audiences holding the person and says what erasing would do, with no side effect;
 * `erasePerson` does it: queues the person's entries per audience and keeps the digests of what was typed, so later
 * syncs leave the person out (hashes only; undo deltas stripped in the same transaction), and runs each audience's erasure through the sync runner — one REMOVE within the audience's calls
 * for the day, deferred to the next slot like any sync when they are used. The raw identifiers are never stored,
 * logged or returned; the sync log shows an "Erase request" run that removed one person.
 */
import { AppError, toErrorShape } from '../../../shared/errors';
import type { EraseAudienceView, ErasePreviewView, EraseResultView } from '../../../shared/ipc/erase-dto';
import type { CohortRelayApp } from '../app';
import { countHashes, hashValue } from '../cohort';
import type { AudienceRecord } from '../store/audiences-repo';
import type { HoldRecord } from '../store/holds-repo';
import { membershipLayout } from '../sync/entry-layout';
import { candidateKeys, checkIdentifiers, erasedDigests, keepErased, matchingEntries, queueErasure, type ErasureIdentifier } from '../sync/erasure';
import { reshapedMembership } from '../sync/mapping-change';
import { storedHoldMessage } from '../sync/removal-guard';
import type { ErasedDigests, EraseOutcome, HoldReplan } from '../sync/sync-service';

export type { ErasureIdentifier } from '../sync/erasure';

interface Found {
  audience: AudienceRecord;
  entries: Buffer;
  view: EraseAudienceView;
}

const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;

function find(app: CohortRelayApp, ids: readonly ErasureIdentifier[]): Found[] {
  checkIdentifiers(ids);
  refusePhoneWithoutCountry(app.store.audiences.list(), ids);
  const out: Found[] = [];
  for (const audience of app.store.audiences.list()) {
    const entries = matchingEntries(app.store, audience, ids);
    if (entries.length === 0) continue;
    const q = app.sync.quota(audience.id);
    const view: EraseAudienceView = {
      audienceId: audience.id,
      name: audience.name,
      entries: countHashes(entries, membershipLayout(app.store, audience).width),
      calls: 1,
      sendsAt: q.left > 0 ? null : q.resetsAt,
    };
    out.push({ audience, entries, view });
  }
  return out;
}

/**
 * A phone written without its country code is read with each phone audience's default country; an audience without
 * one could never find the person, and "found in none" would be wrong. Refused before anything is looked up, naming
 * the fix; the number itself is never repeated.
 */
function refusePhoneWithoutCountry(audiences: readonly AudienceRecord[], ids: readonly ErasureIdentifier[]): void {
  const phones = ids.filter((id) => candidateKeys(id).includes('phone'));
  if (phones.length === 0) return;
  const blind = audiences.filter((a) => a.keys.some((k) => k.key === 'phone') && phones.some((id) => { const r = hashValue('phone', id.value, a.profile); return !r.ok && r.reason === 'PHONE_NO_COUNTRY'; }));
  if (blind.length === 0) return;
  const names = blind.map((a) => a.name).join(', ');
  throw new AppError('INVALID_ARGUMENT', `The phone number has no country code, and ${names} ${blind.length === 1 ? 'has' : 'have'} no default country to read it with, so the person could not be found there. Give the number with its country code, e.g. +1 202 555 0123. Nothing was changed or sent.`);
}

function previewMessage(found: Found[]): string {
  if (found.length === 0) return 'This person is in none of the audiences kept here, so there is nothing to erase.';
  const names = found.map((f) => f.view.name).join(', ');
  const same = found.every((f) => f.view.entries === found[0]!.view.entries);
  const removes = same ? `removes ${people(found[0]!.view.entries)} from ${found.length === 1 ? 'it' : 'each'}` : `removes ${found.map((f) => `${people(f.view.entries)} from ${f.view.name}`).join(', ')}`;
  const calls = found.reduce((n, f) => n + f.view.calls, 0);
  const later = found.filter((f) => f.view.sendsAt);
  const when = later.length ? ` ${later.map((f) => f.view.name).join(', ')} used ${later.length === 1 ? 'its' : 'their'} calls for today, so the removal there is queued and sent at ${later[0]!.view.sendsAt} (UTC midnight).` : '';
  return `Found in ${found.length} ${found.length === 1 ? 'audience' : 'audiences'}: ${names}; ${removes}, uses ${calls} ${calls === 1 ? 'call' : 'calls'}.${when} ${STILL_IN_FILE}`;
}

/** What erasure does about the cohort file, which is the user's: later syncs leave the person out, by a kept hash. */
const STILL_IN_FILE = 'Later syncs of these audiences leave the person out even if the cohort file still holds them (Cohort Relay keeps only a hash of what you typed, for that, until the audience is deleted). Remove them from the export too.';

/** What erasing the person would do. Reads only local data: nothing is sent, written or queued. */
export function erasePreview(app: CohortRelayApp, ids: readonly ErasureIdentifier[]): ErasePreviewView {
  const found = find(app, ids);
  // A sync held for the user's choice is not dropped by the erasure: said before, as after.
  const held = found.filter((f) => app.store.holds.get(f.audience.id)).map((f) => `${f.view.name} has a sync held for your choice: it stays held, planned again without the person.`);
  const message = [previewMessage(found), ...held].join(' ');
  return { audiences: found.map((f) => f.view), calls: found.reduce((n, f) => n + f.view.calls, 0), message };
}

/**
 * Erases the person: from every local record and, through `send` (one erasure run of the audience: the engine's
 * tracked run, or the sync service directly in the CLI), from TikTok. A removal that cannot go out now stays queued
 * and is sent first by the audience's next sync (at the next slot).
 */
export async function erasePerson(app: CohortRelayApp, ids: readonly ErasureIdentifier[], send: (audienceId: number, opts: { erasedBefore: ErasedDigests }) => Promise<EraseOutcome>): Promise<EraseResultView> {
  const found = find(app, ids);
  if (found.length === 0) return { audiences: [], message: previewMessage(found) };
  // Each audience's kept digests before this erasure adds its own: what its held sync was planned with.
  const before = new Map<number, ErasedDigests>();
  for (const f of found) {
    app.store.transaction(() => {
      before.set(f.audience.id, erasedDigests(app.store, f.audience.id));
      queueErasure(app.store, f.audience, f.entries);
      keepErased(app.store, f.audience, ids);
    });
  }
  const results: EraseResultView['audiences'] = [];
  const holdNotes: string[] = [];
  for (const f of found) {
    const held = app.store.holds.get(f.audience.id);
    let replan: HoldReplan | undefined;
    try {
      const o = await send(f.audience.id, { erasedBefore: before.get(f.audience.id) ?? {} });
      replan = o.holdReplan;
      if (o.status === 'done') results.push({ ...f.view, sendsAt: null, outcome: 'sent', runId: o.runId, message: null });
      else if (o.status === 'deferred') results.push({ ...f.view, sendsAt: o.deferredUntil, outcome: 'queued', runId: o.runId, message: o.deferredReason ?? o.error?.message ?? null });
      else results.push({ ...f.view, outcome: 'failed', runId: o.runId, message: `${o.error?.message ?? 'The removal was not sent.'} It stays queued and goes out with the audience's next sync.` });
    } catch (err) {
      const shape = toErrorShape(err);
      results.push({ ...f.view, outcome: 'failed', runId: null, message: `${shape.message} The removal stays queued and goes out with the audience's next sync.` });
    }
    if (held) holdNotes.push(holdNote(f.audience.name, results.at(-1)!.outcome === 'sent' ? (replan ?? null) : undefined, app.store.holds.get(f.audience.id), reshapedMembership(app.store, f.audience) !== null));
  }
  return { audiences: results, message: resultMessage(results, holdNotes) };
}

/**
 * What became of the audience's held sync (a sync waiting for the user's choice): never dropped by an erasure. Sent
 * (`replan` given): planned again without the person (SyncService.erase) — what the user decided stands only for the
 * file they saw; not planned again, the reason. Queued or failed (`replan` undefined): the erasure goes out first.
 */
function holdNote(name: string, replan: HoldReplan | null | undefined, now: HoldRecord | null, replace: boolean): string {
  if (!now) return `${name}: without the person, its held sync no longer needs your choice, so its next sync sends it.`;
  const decided = now.state === 'confirmed' ? 'stays confirmed (its next sync sends it)' : now.state === 'kept' ? 'stays held (kept as is, as you chose)' : 'stays held until you choose';
  if (replan === undefined) return `${name}: its held sync ${decided}; the removal of the person goes out first.`;
  if (replan?.outcome === 'failed') return `${name}: its held sync could not be planned again without the person, so it stays held as it was; confirming it checks the file again. ${replan.reason}`;
  if (replan?.outcome === 'replanned' && !replan.checked) {
    // The file as held could not be planned again to compare: not called changed, but not assumed the same either.
    if (replan.carried) return `${name}: whether the file is still the one you chose to keep as is could not be checked, so its held sync stays kept: nothing is sent until you confirm it. Planned again without the person. ${storedHoldMessage(now, replace)}`;
    const choice = replan.was === 'confirmed' ? ', so your confirmation no longer applies' : replan.was === 'kept' ? ', so your choice to keep the audience as is no longer applies' : '';
    return `${name}: whether the file is still the one held could not be checked${choice}. Planned again from the file as it is now, without the person, the sync is held until you choose. ${storedHoldMessage(now, replace)}`;
  }
  if (replan?.outcome === 'replanned' && !replan.carried) {
    const choice = replan.was === 'confirmed' ? ' since you confirmed it, so that confirmation no longer applies' : replan.was === 'kept' ? ' since you chose to keep the audience as is, so that choice no longer applies' : '';
    return `${name}: the file changed${choice || ' since the sync was held'}. Planned again from the file as it is now, without the person, the sync is held until you choose. ${storedHoldMessage(now, replace)}`;
  }
  return `${name}: its held sync ${decided}, planned again without the person. ${storedHoldMessage(now, replace)}`;
}

function resultMessage(r: EraseResultView['audiences'], holdNotes: readonly string[]): string {
  const sent = r.filter((x) => x.outcome === 'sent');
  const queued = r.filter((x) => x.outcome === 'queued');
  const failed = r.filter((x) => x.outcome === 'failed');
  const parts: string[] = [];
  if (sent.length) parts.push(`Erased from ${sent.map((x) => x.name).join(', ')}: removed here and at TikTok.`);
  // Each with its own reason: the day's calls used, or TikTok still processing the audience's last change.
  if (queued.length) parts.push(`Queued for ${queued.map((x) => `${x.name} (sent at ${x.sendsAt ?? 'the next sync'}${x.message ? `: ${x.message.replace(/\.$/, '')}` : ": today's calls are used"})`).join('; ')}.`);
  if (failed.length) parts.push(`Not sent yet to ${failed.map((x) => `${x.name} (${x.message ?? 'failed'})`).join('; ')}`);
  parts.push(...holdNotes, STILL_IN_FILE);
  return parts.join(' ');
}

/** Refuses before anything is done when one of the audiences holding the person is syncing right now. */
export function refuseWhileSyncing(app: CohortRelayApp, ids: readonly ErasureIdentifier[], isRunning: (audienceId: number) => boolean): void {
  const busy = find(app, ids).filter((f) => isRunning(f.audience.id));
  if (busy.length) throw new AppError('SYNC_RUNNING', `${busy.map((f) => f.view.name).join(', ')} ${busy.length === 1 ? 'is' : 'are'} syncing right now. Wait for that to finish, then erase the person: nothing was changed.`);
}
