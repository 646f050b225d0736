import type { Db } from './db';

/** Who holds a lock: the owner token of one run and its process id. */
export interface LockHolder {
  owner: string;
  pid: number;
}

/**
 * The sync locks shared by every process using the data folder: one per audience, and one per (ad account, name)
 * for creating an audience. Whether a holder is still alive is the caller's question (sync/locks.ts).
 */
export class LocksRepo {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      audienceHolder: db.prepare('SELECT owner, pid FROM audience_locks WHERE audience_id = ?'),
      takeAudience: db.prepare('INSERT OR REPLACE INTO audience_locks (audience_id, owner, pid, acquired_at) VALUES (?, ?, ?, ?)'),
      releaseAudience: db.prepare('DELETE FROM audience_locks WHERE audience_id = ? AND owner = ?'),
      createHolder: db.prepare('SELECT owner, pid FROM create_locks WHERE advertiser_id = ? AND name = ?'),
      takeCreate: db.prepare('INSERT OR REPLACE INTO create_locks (advertiser_id, name, owner, pid, acquired_at) VALUES (?, ?, ?, ?, ?)'),
      releaseCreate: db.prepare('DELETE FROM create_locks WHERE advertiser_id = ? AND name = ? AND owner = ?'),
    };
  }

  audienceHolder(audienceId: number): LockHolder | undefined {
    return this.q.audienceHolder.get(audienceId) as LockHolder | undefined;
  }

  takeAudience(audienceId: number, holder: LockHolder, at: Date): void {
    this.q.takeAudience.run(audienceId, holder.owner, holder.pid, at.toISOString());
  }

  /** Releases the audience's lock if `owner` still holds it. */
  releaseAudience(audienceId: number, owner: string): void {
    this.q.releaseAudience.run(audienceId, owner);
  }

  createHolder(advertiserId: string, name: string): LockHolder | undefined {
    return this.q.createHolder.get(advertiserId, name) as LockHolder | undefined;
  }

  takeCreate(advertiserId: string, name: string, holder: LockHolder, at: Date): void {
    this.q.takeCreate.run(advertiserId, name, holder.owner, holder.pid, at.toISOString());
  }

  /** Releases the create lock if `owner` still holds it. */
  releaseCreate(advertiserId: string, name: string, owner: string): void {
    this.q.releaseCreate.run(advertiserId, name, owner);
  }
}
