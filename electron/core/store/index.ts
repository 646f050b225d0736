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
