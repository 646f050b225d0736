/**
 * The checks on the files an audience reads, made before anything starts: the file or folder exists, the
 * audience has a source, and a web-host upload copy that is gone is cleared (and named) rather than read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { Store } from '../store';
import type { AudienceRecord } from '../store/audiences-repo';
import { isVanishedUploadCopy } from '../temp-dirs';
import { lostUploadKey, noSourceMessage } from './ops/audience-state';

/** Refuses a path that does not exist; `what` names it for the user ("cohort file", "suppression list"). */
export function requireFile(file: string, what: string): void {
  if (!fs.existsSync(file)) throw new AppError('FILE_NOT_FOUND', `The ${what} ${file} does not exist. Check the path, or pick the file again.`);
}

/** Refuses an audience that cannot sync for want of a source file, saying why in plain words. */
export function requireSource(store: Store, a: AudienceRecord): void {
  const why = noSourceMessage(store, a);
  if (why) throw new AppError('FILE_NOT_FOUND', why);
}

/**
 * Issue #11 S1.5: a web-host upload is a temp copy that lasts until its host stops. An audience whose
 * source is such a copy, now gone (or its host gone), gets its source cleared, and the copy's file name
 * is kept so the audience and "Sync now" can say which file to pick again (instead of "No file at /tmp/…").
 */
export function forgetVanishedUploads(store: Store, tmpRoot: string | undefined): void {
  for (const a of store.audiences.list()) {
    if (a.sourceKind !== 'file' || !a.sourcePath || !isVanishedUploadCopy(a.sourcePath, tmpRoot)) continue;
    store.settings.set(lostUploadKey(a.id), path.basename(a.sourcePath));
    store.audiences.update(a.id, { sourcePath: null });
  }
}
