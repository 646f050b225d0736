import fs from 'node:fs';
import path from 'node:path';

/** The journal's file in the data folder. */
export const QUOTA_JOURNAL_FILE = 'quota-ledger.jsonl';
/** How long entries are kept: the UTC day's budget and the rolling 24 h of the one-REPLACE rule both fit. */
export const QUOTA_JOURNAL_KEEP_MS = 48 * 3600_000;

/** One reserved call, as the journal keeps it: TikTok's ids and the audience's name, never a person. */
export interface QuotaJournalEntry {
  at: string;
  utcDay: string;
  advertiserId: string;
  /** Null for a create (TikTok's id is not known yet): matched by advertiser and name. */
  tiktokAudienceId: string | null;
  name: string;
  kind: string;
}

/**
 * A copy of every quota reservation outside the database, so the ledger survives losing it: after
 * `cohort-relay recover`, the calls of the last 48 h that the restored (or empty) database lacks are
 * carried over and counted. Append-only, one JSON line per call; pruned to 48 h when opened. A line for a
 * reservation whose transaction then rolled back only makes the count after a recovery more cautious.
 */
export class QuotaJournal {
  readonly file: string;

  constructor(dataDir: string, now: Date = new Date()) {
    this.file = path.join(dataDir, QUOTA_JOURNAL_FILE);
    this.prune(now);
  }

  append(entry: QuotaJournalEntry): void {
    fs.appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  /** Entries at or after `since`, oldest first; unreadable lines (a torn last write) are skipped. */
  read(since: Date): QuotaJournalEntry[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: QuotaJournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as QuotaJournalEntry;
        if (typeof e.at === 'string' && new Date(e.at) >= since) out.push(e);
      } catch {
        // A line cut by a crash mid-write: nothing to count.
      }
    }
    return out;
  }

  private prune(now: Date): void {
    if (!fs.existsSync(this.file)) return;
    const since = new Date(now.getTime() - QUOTA_JOURNAL_KEEP_MS);
    const text = fs.readFileSync(this.file, 'utf8');
    const first = text.slice(0, text.indexOf('\n') + 1 || undefined);
    let firstAt: Date | null = null;
    try {
      firstAt = new Date((JSON.parse(first) as QuotaJournalEntry).at);
    } catch {
      firstAt = null;
    }
    if (firstAt && firstAt >= since) return;
    const kept = this.read(since).map((e) => `${JSON.stringify(e)}\n`).join('');
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, kept, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
