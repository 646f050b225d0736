import { openDb, type Db } from './db';
export { SANDBOX_DIR, securePrivateFiles } from './db';
import { AudiencesRepo } from './audiences-repo';
import { ConnectionsRepo } from './connections-repo';
import { SettingsRepo } from './settings-repo';
import { SnapshotRepo } from './snapshot-repo';
import { RunsRepo } from './runs-repo';
import { QuotaRepo } from './quota-repo';
import { QuotaJournal } from './quota-journal';
import { HoldsRepo } from './holds-repo';
import { UploadCacheRepo } from './upload-cache-repo';
import { LocksRepo } from './locks-repo';
import { StatusRepo } from './status-repo';
import { PendingRepo } from './pending-repo';
import { DeltasRepo } from './deltas-repo';

/** The SQLite store: one database file in the data folder, one repository per table group. */
export class Store {
  readonly audiences: AudiencesRepo;
  readonly connections: ConnectionsRepo;
  readonly settings: SettingsRepo;
  readonly snapshots: SnapshotRepo;
  readonly runs: RunsRepo;
  readonly quota: QuotaRepo;
  /** Syncs held for removing more of an audience than its limit allows. */
  readonly holds: HoldsRepo;
  /** TikTok's file paths of uploaded files, re-used while fresh. */
  readonly uploads: UploadCacheRepo;
  /** The sync locks shared by every process using the data folder. */
  readonly locks: LocksRepo;
  /** TikTok's reported status of each audience, over time; the schedule's last served slot. */
  readonly status: StatusRepo;
  /** Per audience, changes that may have reached TikTok unacknowledged. */
  readonly pending: PendingRepo;
  /** Per run, what it added and removed at TikTok (what undo inverts). */
  readonly deltas: DeltasRepo;

  private constructor(
    readonly db: Db,
    journal: QuotaJournal | null,
  ) {
    this.audiences = new AudiencesRepo(db);
    this.connections = new ConnectionsRepo(db);
    this.settings = new SettingsRepo(db);
    this.snapshots = new SnapshotRepo(db);
    this.runs = new RunsRepo(db);
    this.quota = new QuotaRepo(db, journal);
    this.holds = new HoldsRepo(db);
    this.uploads = new UploadCacheRepo(db);
    this.locks = new LocksRepo(db);
    this.status = new StatusRepo(db);
    this.pending = new PendingRepo(db);
    this.deltas = new DeltasRepo(db);
  }

  static open(dataDir: string): Store {
    const db = openDb(dataDir);
    try {
      return new Store(db, new QuotaJournal(dataDir));
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Runs `fn` in one IMMEDIATE transaction: a job step and its effects commit together or not at all. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
