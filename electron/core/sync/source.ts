import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { isRejectsReport } from '../cohort';

/** Turns a simple file pattern ("*.csv", "cohort-??.csv") into a RegExp; case-insensitive. */
export function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

/**
 * The file a run reads: the configured file, or the newest file (by modification time) in a watched
 * folder whose name matches the pattern (default "*.csv"), leaving out the rejects reports this app wrote.
 * Names the problem and the fix when missing.
 */
export function resolveSourceFile(source: { kind: 'file' | 'folder'; path: string | null; pattern?: string | null }): string {
  if (!source.path) throw new AppError('FILE_NOT_FOUND', 'This audience has no source file. Set a cohort file or folder in its mapping.');
  if (!path.isAbsolute(source.path)) {
    // Relative to what? The folder each host was started in: a daemon started elsewhere would read another file.
    const what = source.kind === 'folder' ? 'folder' : 'cohort file';
    throw new AppError('FILE_NOT_FOUND', `This audience's ${what} is saved as "${source.path}", a relative path, so which ${what} it names depends on where Cohort Relay was started. Pick the ${what} again in the audience's mapping, or sync once with its full path (cohort-relay sync --csv /full/path/to/file.csv).`);
  }
  if (source.kind === 'file') {
    if (!fs.existsSync(source.path)) throw new AppError('FILE_NOT_FOUND', `The cohort file ${source.path} is missing. Export it again to that path, or pick the new file in the audience's mapping.`);
    return source.path;
  }
  let names: string[];
  try {
    names = fs.readdirSync(source.path);
  } catch {
    throw new AppError('FILE_NOT_FOUND', `The watched folder ${source.path} is missing. Create it again, or pick another folder in the audience's mapping.`);
  }
  const re = patternToRegExp(source.pattern || '*.csv');
  // A link in the folder to a file elsewhere is never read: the folder is what the user gave (the web host grants it),
  // not every file a link in it may name.
  const inside = realDirOf(source.path);
  const outside: string[] = [];
  let best: { file: string; mtime: number } | null = null;
  for (const name of names) {
    if (!re.test(name)) continue;
    const file = path.join(source.path, name);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    if (!isWithin(inside, file)) {
      outside.push(name);
      continue;
    }
    if (best && st.mtimeMs <= best.mtime) continue;
    // A rejects report saved beside the export (its default place) is never the cohort, however new.
    if (isRejectsReport(file)) continue;
    best = { file, mtime: st.mtimeMs };
  }
  if (!best) {
    const links = outside.length > 0 ? ` (${outside.slice(0, 3).map((n) => `"${n}"`).join(', ')}${outside.length > 3 ? ', …' : ''} link${outside.length > 1 ? '' : 's'} to a file outside the folder, which is never read)` : '';
    throw new AppError('FILE_NOT_FOUND', `No file matching "${source.pattern || '*.csv'}" is in ${source.path}${links}. Export the cohort into the folder itself, or change the pattern.`);
  }
  return best.file;
}

/** The folder's real path (links resolved). */
function realDirOf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** True when `file`, links resolved, lies inside the real folder `dir`. */
function isWithin(dir: string, file: string): boolean {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return false;
  }
  const rel = path.relative(dir, real);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
