import { AppError } from '../../../shared/errors';
import type { Store } from '../store';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock owners this process holds now: a row with our pid but another owner is a previous process's. */
const held = new Set<string>();

/**
 * Takes the per-audience sync lock, shared by every process using the data folder. A lock held by a
 * process that no longer exists (crash, SIGKILL) is taken over. Returns the release function.
 */
export function acquireAudienceLock(store: Store, audienceId: number, owner: string): () => void {
  const db = store.db;
  store.transaction(() => {
    const row = db.prepare('SELECT owner, pid FROM audience_locks WHERE audience_id = ?').get(audienceId) as { owner: string; pid: number } | undefined;
    // Our own pid with an owner we do not hold: a previous process that had our pid (restart in a container).
    const stale = !row || !alive(row.pid) || (row.pid === process.pid && !held.has(row.owner));
    if (!stale) {
      throw new AppError('SYNC_RUNNING', 'A sync of this audience is already running. Wait for it to finish, or cancel it first.');
    }
    db.prepare('INSERT OR REPLACE INTO audience_locks (audience_id, owner, pid, acquired_at) VALUES (?, ?, ?, ?)').run(audienceId, owner, process.pid, new Date().toISOString());
  });
  held.add(owner);
  return () => {
    held.delete(owner);
    db.prepare('DELETE FROM audience_locks WHERE audience_id = ? AND owner = ?').run(audienceId, owner);
  };
}

/** Whether a live run (of any process) holds the audience's sync lock now. */
export function audienceLockHeld(store: Store, audienceId: number): boolean {
  const row = store.db.prepare('SELECT owner, pid FROM audience_locks WHERE audience_id = ?').get(audienceId) as { owner: string; pid: number } | undefined;
  return Boolean(row && alive(row.pid) && (row.pid !== process.pid || held.has(row.owner)));
}

/**
 * Takes the lock on creating an audience of this name for this ad account, shared by every process using the data
 * folder. The per-audience lock does not cover it: two local audiences (or two first syncs racing to record one) of
 * the same name would each create a TikTok audience. Taken over from a process that no longer exists. Returns the
 * release function; throws SYNC_RUNNING while another live run holds it.
 */
export function acquireCreateLock(store: Store, advertiserId: string, name: string, owner: string): () => void {
  const db = store.db;
  const key = `create:${owner}`;
  store.transaction(() => {
    const row = db.prepare('SELECT owner, pid FROM create_locks WHERE advertiser_id = ? AND name = ?').get(advertiserId, name) as { owner: string; pid: number } | undefined;
    const stale = !row || !alive(row.pid) || (row.pid === process.pid && !held.has(`create:${row.owner}`));
    if (!stale) {
      throw new AppError('SYNC_RUNNING', `Another sync is creating the audience "${name}" for this ad account right now. Wait for it to finish, then sync again: it syncs to the audience that one creates.`);
    }
    db.prepare('INSERT OR REPLACE INTO create_locks (advertiser_id, name, owner, pid, acquired_at) VALUES (?, ?, ?, ?, ?)').run(advertiserId, name, owner, process.pid, new Date().toISOString());
  });
  held.add(key);
  return () => {
    held.delete(key);
    db.prepare('DELETE FROM create_locks WHERE advertiser_id = ? AND name = ? AND owner = ?').run(advertiserId, name, owner);
  };
}
