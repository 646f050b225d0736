import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../shared/errors';

/** Whether process `pid` runs (on this machine): lock rows and temp folders name their owner by pid. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A private temp folder named `<prefix><pid>-<random>`, so a later process can tell whose it is.
 * Removed by its owner; `removeStale` removes those whose process died (crash, SIGKILL).
 */
export function makeOwnedTempDir(prefix: string, root = os.tmpdir()): string {
  return fs.mkdtempSync(path.join(root, `${prefix}${process.pid}-`));
}

/**
 * makeOwnedTempDir (owner-only, 0700) for `what` (e.g. "this cohort's sorted hashes"), or an AppError that names the
 * temp folder and the fix: DISK_FULL when there is no room, DATABASE_READONLY when it cannot be written (missing, not
 * a folder, no permission, read-only).
 */
export function makePrivateTempDir(prefix: string, root: string | undefined, what: string): string {
  try {
    const dir = makeOwnedTempDir(prefix, root);
    fs.chmodSync(dir, 0o700);
    return dir;
  } catch (err) {
    const code = String((err as NodeJS.ErrnoException).code ?? '');
    const where = root ?? os.tmpdir();
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new AppError('DISK_FULL', `The temp folder ${where} has no room for ${what}. Free space there, or set TMPDIR to a folder on a disk with room; nothing was lost.`);
    throw new AppError('DATABASE_READONLY', `Cohort Relay cannot write ${what} to the temp folder ${where} (${code || String(err)}). Make it writable, or set TMPDIR to a writable folder; nothing was lost.`);
  }
}

/** Removes `<prefix><pid>-*` folders in `root` whose process no longer runs. Never throws. */
export function removeStaleTempDirs(prefix: string, root = os.tmpdir()): number {
  let removed = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    try {
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
      removed++;
    } catch {
      // Someone else's or already gone: leave it.
    }
  }
  return removed;
}

/** The web host's upload copies live in `<tmp>/<WEB_UPLOAD_PREFIX><pid>-<random>/<n>/<name>`. */
export const WEB_UPLOAD_PREFIX = 'cohort-relay-uploads-';

/**
 * Whether `file` is a web-host upload copy that is gone or about to go: under an uploads folder in `root`
 * whose file no longer exists, or whose owning process no longer runs (its next start removes the folder).
 * Uploads are one-off copies: nothing may keep pointing at one after its host stopped.
 */
export function isVanishedUploadCopy(file: string, root = os.tmpdir()): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(file));
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const top = rel.split(path.sep)[0]!;
  if (!top.startsWith(WEB_UPLOAD_PREFIX) || rel === top) return false;
  if (!fs.existsSync(file)) return true;
  const pid = Number(/^(\d+)-/.exec(top.slice(WEB_UPLOAD_PREFIX.length))?.[1]);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid);
}
