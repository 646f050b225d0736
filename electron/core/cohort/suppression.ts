import type { KeyType, NormalizationProfile } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { readCohort, type ReadCohortOptions } from './read-cohort';

/**
 * Reads a suppression list (another CSV of the same key type, e.g. converted customers) into a sorted
 * hash set, to subtract from a cohort before the diff (subtractHashes). The key column is detected
 * unless given; a list with a header and no rows is an empty set. Errors name the suppression list.
 */
export async function loadSuppression(
  file: string,
  key: KeyType,
  profile: NormalizationProfile,
  opts: Pick<ReadCohortOptions, 'column' | 'signal' | 'workers' | 'onProgress'> = {},
): Promise<Buffer> {
  try {
    const res = await readCohort({ ...opts, path: file, key, profile, maxRejects: 0, allowEmpty: true });
    return res.hashes;
  } catch (err) {
    if (err instanceof AppError && (err.code === 'CSV_INVALID' || err.code === 'INVALID_ARGUMENT' || err.code === 'FILE_NOT_FOUND')) {
      throw new AppError(err.code, `Suppression list: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
