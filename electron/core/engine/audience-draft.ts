/**
 * A new audience before it is saved: what `audiences:create` refuses, and the request as the one creation operation
 * takes it (engine/ops/create.ts, as `cohort-relay sync` does). Used by the create and by the dry run of an unsaved
 * audience (`sync:plan` with `create`).
 */
import fs from 'node:fs';
import { AppError } from '../../../shared/errors';
import type { RequestOf } from '../../../shared/ipc/contract';
import type { Store } from '../store';
import { cadenceProblem } from '../sync/cadence';
import { mappedKeys } from '../sync/new-audience';
import type { AudienceSpec } from '../sync/sync-service';
import { pinDoubtfulHeader } from './imports';
import { localNamesake, localNamesakeMessage } from './ops/create';
import { requireFile } from './source-checks';

type CreateRequest = RequestOf<'audiences:create'>;

/** What `audiences:create` refuses, checked before anything is saved (also for a dry run of the unsaved audience). */
export function checkCreate(store: Store, req: CreateRequest, now: Date = new Date()): { connectionId: string | null; kind: 'file' | 'folder' } {
  // Refused before any file is read or TikTok asked.
  mappedKeys(req.keys);
  const kind = req.sourceKind ?? 'file';
  requireFile(req.sourcePath, kind === 'folder' ? 'folder' : 'cohort file');
  if (kind === 'file' && fs.statSync(req.sourcePath).isDirectory()) throw new AppError('INVALID_ARGUMENT', `${req.sourcePath} is a folder. Pick a CSV file, or choose "watch a folder".`);
  if (req.suppressPath) requireFile(req.suppressPath, 'suppression list');
  const problem = cadenceProblem(req.cadence, now);
  if (problem) throw new AppError('INVALID_ARGUMENT', problem);

  let connectionId = req.connectionId ?? null;
  if (connectionId) {
    const c = store.connections.get(connectionId);
    if (!c) throw new AppError('INVALID_ARGUMENT', `There is no TikTok connection "${connectionId}". Connect TikTok first, then map the audience.`);
    if (c.advertisers.length > 0 && !c.advertisers.some((x) => x.advertiserId === req.advertiserId)) {
      throw new AppError('PERMISSION_DENIED', `The connection "${c.label}" does not reach ad account ${req.advertiserId}. Pick one of its ad accounts, or connect the account that owns it.`);
    }
  } else {
    connectionId = store.connections.findByAdvertiser(req.advertiserId)?.id ?? null;
  }
  const namesake = localNamesake(store, req.advertiserId, req.name);
  if (namesake) throw new AppError('INVALID_ARGUMENT', localNamesakeMessage(req.name, namesake, 'Choose another name, or edit that audience.'));
  if (req.existingTiktokAudienceId && store.audiences.findByTiktokId(req.advertiserId, req.existingTiktokAudienceId)) {
    throw new AppError('INVALID_ARGUMENT', `TikTok audience ${req.existingTiktokAudienceId} is already mapped to another local audience. Edit that mapping instead.`);
  }
  return { connectionId, kind };
}

/** The create request as the creation operation (findOrCreateAudience, draftAudience) takes it, once checked. */
export function createSpec(req: CreateRequest, connectionId: string | null, kind: 'file' | 'folder'): AudienceSpec {
  const first = req.keys[0]!;
  return {
    advertiserId: req.advertiserId,
    connectionId,
    name: req.name,
    tiktokAudienceId: req.existingTiktokAudienceId,
    key: first.key,
    column: first.column,
    keys: req.keys.map((k) => ({ key: k.key, column: k.column, ...(k.countryColumn !== undefined ? { countryColumn: k.countryColumn } : {}), ...(k.extraColumns?.length ? { extraColumns: k.extraColumns } : {}) })),
    api: req.api,
    sourcePath: req.sourcePath,
    sourceKind: kind,
    sourcePattern: req.sourcePattern ?? null,
    suppressPath: req.suppressPath ?? null,
    profile: req.profile,
    cadence: req.cadence,
    removalMode: req.removalMode,
    hasHeader: req.hasHeader,
  };
}

/** The create request with its keys saved by column index when the file's header is only a guess (#12 item 2). */
export async function pinnedCreate(req: CreateRequest, kind: 'file' | 'folder'): Promise<CreateRequest> {
  // The user said whether the first row is a header: nothing is a guess, so nothing is pinned.
  return kind === 'file' && req.hasHeader === undefined ? { ...req, keys: await pinDoubtfulHeader(req.sourcePath, req.keys) } : req;
}
