/**
 * The checks on the files an audience reads, made before anything starts: the file or folder exists, the
 * audience has a source, and a web-host upload copy that is gone is cleared (and named) rather than read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { KEY_LABELS } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { resolveColumn, sniffCsv } from '../cohort';
import type { Store } from '../store';
import type { AudienceRecord, KeyMapping } from '../store/audiences-repo';
import { isVanishedUploadCopy } from '../temp-dirs';
import { lostUploadKey, noSourceMessage } from './ops/audience-state';

/** Refuses a path that does not exist; `what` names it for the user ("cohort file", "suppression list"). */
export function requireFile(file: string, what: string): void {
  if (!fs.existsSync(file)) throw new AppError('FILE_NOT_FOUND', `The ${what} ${file} does not exist. Check the path, or pick the file again.`);
}

/**
 * Refuses a new source file that lacks a column the audience's keys are read from (a file without a header row, another
 * export's header): saved, its next sync would fail on it. The file is sampled as the sync reads it (`hasHeader`: the
 * audience's answer to "is the first row a header?", null to judge it).
 */
export async function requireKeyColumns(file: string, a: { name: string; keys: readonly KeyMapping[] }, hasHeader: boolean | null): Promise<void> {
  const sample = await sniffCsv(file, hasHeader === null ? {} : { hasHeader });
  for (const k of a.keys) {
    // A key column of null is found by its values on each read: nothing to check.
    const columns = [...(k.column === null ? [] : [k.column]), ...(k.extraColumns ?? []), ...(k.countryColumn === undefined ? [] : [k.countryColumn])];
    for (const c of columns) {
      try {
        resolveColumn(sample, k.key, c);
      } catch {
        const shown = typeof c === 'number' ? `column ${c + 1}` : `column "${c}"`;
        const why = sample.hasHeader ? '' : ' (its first row is not a header row)';
        throw new AppError('INVALID_ARGUMENT', `${path.basename(file)} has no ${shown}${why}, which "${a.name}" reads its ${KEY_LABELS[k.key]} from. Choose a file with the same columns, or map this file to a new audience.`);
      }
    }
  }
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
