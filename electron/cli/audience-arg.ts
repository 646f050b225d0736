import { AppError } from '../../shared/errors';
import { requireAudience, type App, type AudienceRecord } from '../core/engine/ops';

/**
 * The audience a local id names. An id that names none is bad input, as a mistyped option is (exit 2, like
 * `runs --run` of a run that does not exist): "No audience with local id 99", and how to list them.
 */
export function knownAudience(app: App, id: number): AudienceRecord {
  try {
    return requireAudience(app, id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'AUDIENCE_NOT_FOUND') throw new AppError('INVALID_ARGUMENT', err.message, { cause: err });
    throw err;
  }
}
