/**
 * Progress as the renderer shows it: the engine's phases mapped onto the contract's RunPhase, with rows per
 * second and an ETA measured from the start of the read.
 */
import type { RunPhase } from '../../../shared/ipc/dto';
import type { SyncProgress } from '../sync/sync-runner';

/**
 * The sync runner's phase → the contract's. Reading and hashing run together in the pipeline (workers
 * hash blocks as they are read): "reading" until the first rows are counted, "hashing" after.
 */
export function runPhase(p: Pick<SyncProgress, 'phase' | 'rows'>): RunPhase {
  switch (p.phase) {
    case 'reading':
      return p.rows ? 'hashing' : 'reading';
    case 'planning':
      return 'diffing';
    case 'uploading':
      return 'uploading';
    case 'sending':
      return 'updating';
    case 'verifying':
      return 'verifying';
  }
}

/** Rows per second and seconds left, from rows done and the fraction of the work done. */
export class RateMeter {
  private readonly startedAt: number;
  constructor(private readonly clock: () => number = Date.now) {
    this.startedAt = clock();
  }

  /** `fraction` is 0..1 of the measured stage; undefined fields when there is too little to tell. */
  measure(rows: number, fraction: number | null): { rowsPerSec?: number; etaSec?: number } {
    const elapsedSec = (this.clock() - this.startedAt) / 1000;
    if (elapsedSec <= 0 || rows <= 0) return {};
    const out: { rowsPerSec?: number; etaSec?: number } = { rowsPerSec: Math.round(rows / elapsedSec) };
    if (fraction !== null && fraction > 0 && fraction < 1) out.etaSec = Math.max(0, Math.round((elapsedSec * (1 - fraction)) / fraction));
    return out;
  }
}
