import { AppError } from '../../../shared/errors';
import type { Store } from '../store';
import { processAlive } from '../temp-dirs';

/** Lock owners this process holds now: a row with our pid but another owner is a previous process's. */
const held = new Set<string>();

/**
 * Takes the per-audience sync lock, shared by every process using the data folder. A lock held by a
 * process that no longer exists (crash, SIGKILL) is taken over. Returns the release function.
 */
export function acquireAudienceLock(store: Store, audienceId: number, owner: string): () => void {
  const locks = store.locks;
  store.transaction(() => {
    const row = locks.audienceHolder(audienceId);
    // Our own pid with an owner we do not hold: a previous process that had our pid (restart in a container).
    const stale = !row || !processAlive(row.pid) || (row.pid === process.pid && !held.has(row.owner));
    if (!stale) {
      throw new AppError('SYNC_RUNNING', 'A sync of this audience is already running. Wait for it to finish, or cancel it first.');
    }
    locks.takeAudience(audienceId, { owner, pid: process.pid }, new Date());
  });
  held.add(owner);
  return () => {
    held.delete(owner);
    locks.releaseAudience(audienceId, owner);
  };
}

/** Whether a live run (of any process) holds the audience's sync lock now. */
export function audienceLockHeld(store: Store, audienceId: number): boolean {
  const row = store.locks.audienceHolder(audienceId);
  return Boolean(row && processAlive(row.pid) && (row.pid !== process.pid || held.has(row.owner)));
}

/**
 * Takes the lock on creating an audience of this name for this ad account, shared by every process using the data
 * folder. The per-audience lock does not cover it: two local audiences (or two first syncs racing to record one) of
 * the same name would each create a TikTok audience. Taken over from a process that no longer exists. Returns the
 * release function; throws SYNC_RUNNING while another live run holds it.
 */
export function acquireCreateLock(store: Store, advertiserId: string, name: string, owner: string): () => void {
  const locks = store.locks;
  const key = `create:${owner}`;
  store.transaction(() => {
    const row = locks.createHolder(advertiserId, name);
    const stale = !row || !processAlive(row.pid) || (row.pid === process.pid && !held.has(`create:${row.owner}`));
    if (!stale) {
      throw new AppError('SYNC_RUNNING', `Another sync is creating the audience "${name}" for this ad account right now. Wait for it to finish, then sync again: it syncs to the audience that one creates.`);
    }
    locks.takeCreate(advertiserId, name, { owner, pid: process.pid }, new Date());
  });
  held.add(key);
  return () => {
    held.delete(key);
    locks.releaseCreate(advertiserId, name, owner);
  };
}
