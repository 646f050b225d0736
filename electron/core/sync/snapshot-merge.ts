/**
 * The snapshot after one acknowledged call, and what the call changed, computed by streaming the stored snapshot's
 * chunks against the call's entries and written as the next snapshot generation as it goes: a sync never holds the
 * snapshot it changes, nor the next one (issue #13 §4: a 5 %-changed sync of millions of people, and any sync of a
 * 10 M-row cohort, within the memory of the cohort's changes).
 *
 * APPEND: next = stored ∪ sent, added = sent − stored. REMOVE: next = stored − sent, removed = sent ∩ stored.
 * create / REPLACE: next = sent, added = sent − stored, removed = stored − sent.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/errors';
import { subtractHashes, unionHashes } from '../cohort';
import { digestAsync } from '../cohort/hash-set-async';
import { asParts, diffParts, entryCount, upperBound, type Entries } from '../cohort/sorted-parts';
import type { Store } from '../store';
import type { PlannedCall } from './planner';

export interface StagedSnapshot {
  /** The staged generation (not current until the acknowledging transaction commits it). */
  generation: number;
  count: number;
  digest: string;
  added: Entries;
  removed: Buffer;
}

/** Stages the audience's snapshot after `kind` with `sent` was acknowledged. Under the audience's lock, outside any transaction. */
export async function stageAfter(store: Store, audienceId: number, kind: PlannedCall['kind'], sent: Entries, width: number): Promise<StagedSnapshot> {
  const none = Buffer.alloc(0);
  const stored = store.snapshots.meta(audienceId);
  // A snapshot in another width (the audience's columns changed: mapping-change.ts) is replaced whole, never diffed.
  const hasStored = stored !== undefined && stored.entryCount > 0 && stored.entryWidth === width;
  if (kind === 'create' || kind === 'REPLACE') {
    // The next snapshot is what was sent; what changed is its diff against the stored one (everything, against none).
    const d = hasStored ? await diffParts(store.snapshots.chunksAsync(audienceId), asParts(sent, width), width, { collect: true }) : null;
    const digest = await digestAsync(sent);
    const generation = await store.snapshots.stage(audienceId, sent, width);
    return { generation, count: entryCount(sent, width), digest, added: d ? d.added : sent, removed: d ? d.removed : none };
  }
  if (!Buffer.isBuffer(sent)) throw new AppError('INTERNAL', 'An APPEND or REMOVE sends a buffer of entries, not parts.');
  const h = createHash('sha256');
  let count = 0;
  const changed: Buffer[] = [];
  let rest: Buffer = sent;
  const emit = (out: Buffer) => {
    h.update(out);
    count += out.length / width;
    return out;
  };
  async function* next(): AsyncGenerator<Buffer> {
    for await (const chunk of store.snapshots.chunksAsync(audienceId)) {
      // The sent entries in this chunk's range (and below it: those are not stored, for an APPEND they come first).
      const cut = upperBound(rest, chunk.subarray(chunk.length - width), width) * width;
      const mine = rest.subarray(0, cut);
      rest = rest.subarray(cut);
      if (kind === 'APPEND') {
        const fresh = subtractHashes(mine, chunk, width);
        if (fresh.length > 0) changed.push(Buffer.from(fresh));
        yield emit(fresh.length === 0 ? chunk : unionHashes(chunk, fresh, width));
      } else {
        const kept = subtractHashes(chunk, mine, width);
        if (kept.length !== chunk.length) changed.push(subtractHashes(mine, subtractHashes(mine, chunk, width), width));
        if (kept.length > 0) yield emit(kept);
      }
    }
    // Past the stored snapshot's last entry: added by an APPEND, not there for a REMOVE.
    if (kind === 'APPEND' && rest.length > 0) {
      changed.push(rest);
      yield emit(rest);
    }
  }
  const generation = await store.snapshots.stage(audienceId, { parts: next }, width);
  const delta = Buffer.concat(changed);
  return { generation, count, digest: h.digest('hex'), added: kind === 'APPEND' ? delta : none, removed: kind === 'REMOVE' ? delta : none };
}
