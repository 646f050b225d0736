/**
 * How long the web host keeps an uploaded CSV copy (issue #12.8). An upload is a copy of the user's own file,
 * raw identifiers included, so it lives only as long as the work that needs it:
 *   - a one-off sync (or an undo / confirmed removal) that reads it: removed when that run finishes, unless the
 *     run was held for the user's decision and a page is still open to make it;
 *   - the wizard that previewed it: removed when the wizard previews a newer upload (a new file replaces it),
 *     when the wizard says it is done with it (`import:release`), or when the last page closes;
 *   - and in any case when the host stops (server.ts removes the whole folder).
 * A copy a running sync still reads is never removed under it: it goes when that run finishes.
 */
import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { EventSource, Handlers } from '../../shared/ipc/contract';

export class UploadLifetime {
  /** Upload copy → the private folder holding only it. */
  private readonly copies = new Map<string, string>();
  /** Audience → the upload copies its current run reads. */
  private readonly reading = new Map<number, Set<string>>();
  /** Copies the wizard has opened (previewed): the first preview of another one starts a new wizard. */
  private readonly previewed = new Set<string>();
  private pages = 0;

  constructor(private readonly handlers: Handlers) {}

  /** Records a new upload copy (its folder holds nothing else). */
  added(file: string): void {
    this.copies.set(resolve(file), dirname(resolve(file)));
  }

  /** The upload copies still on disk (tests, diagnostics). */
  kept(): string[] {
    return [...this.copies.keys()];
  }

  isCopy(p: string | null | undefined): p is string {
    return typeof p === 'string' && this.copies.has(resolve(p));
  }

  private inUse(file: string): boolean {
    for (const set of this.reading.values()) if (set.has(file)) return true;
    return false;
  }

  /** Removes these copies (and their folders) unless a running sync reads them. */
  async remove(files: Iterable<string>): Promise<void> {
    for (const f of [...files].map((x) => resolve(x))) {
      const dir = this.copies.get(f);
      if (!dir || this.inUse(f)) continue;
      this.copies.delete(f);
      this.previewed.delete(f);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Removes every copy no running sync reads. */
  removeIdle(except?: string): Promise<void> {
    const keep = except ? resolve(except) : null;
    return this.remove([...this.copies.keys()].filter((f) => f !== keep));
  }

  pageOpened(): void {
    this.pages++;
  }

  /** The last page closed: no wizard can come back to a copy, so the idle ones go now. */
  pageClosed(): Promise<void> {
    this.pages = Math.max(0, this.pages - 1);
    return this.pages === 0 ? this.removeIdle() : Promise.resolve();
  }

  /** Follows runs: a finished run's upload copies are removed (a held run's only once no page is open). */
  follow(events: EventSource): () => void {
    return events.subscribe((e) => {
      // Another workspace's run (#14 §2): its audience id is not one of the uploads' audiences.
      if (e.event !== 'run:finished' || e.payload.workspace) return;
      const files = this.reading.get(e.payload.audienceId);
      if (!files) return;
      this.reading.delete(e.payload.audienceId);
      if (e.payload.status !== 'held' || this.pages === 0) void this.remove(files);
    });
  }

  /** The upload copies an audience reads (its source and its suppression list). */
  private async copiesOf(audienceId: number): Promise<string[]> {
    try {
      const a = await this.handlers['audiences:get']({ id: audienceId });
      return [a.sourcePath, a.suppressPath].filter((p): p is string => this.isCopy(p)).map((p) => resolve(p));
    } catch {
      return [];
    }
  }

  /** Marks the audience's copies as read by a run while `start` starts it; unmarks them if it does not start. */
  private async running<T>(audienceId: number, start: () => Promise<T>, once?: string): Promise<T> {
    // A one-off file of this run ("Use this file once") is read by it like the audience's own copies.
    const files = [...(await this.copiesOf(audienceId)), ...(once && this.isCopy(once) ? [resolve(once)] : [])];
    if (files.length) this.reading.set(audienceId, new Set([...(this.reading.get(audienceId) ?? []), ...files]));
    try {
      return await start();
    } catch (err) {
      if (files.length) this.reading.delete(audienceId);
      throw err;
    }
  }

  /** The handlers with the copies' lifetime attached. */
  wrap(handlers: Handlers): Handlers {
    return {
      ...handlers,
      'import:preview': async (req) => {
        // The wizard previews the file it opens: a new one replaces the earlier upload (and its suppression list), so
        // they go. Previewing the same file again (another header answer, another country) keeps everything.
        if (this.isCopy(req.path) && !this.previewed.has(resolve(req.path))) {
          await this.removeIdle(req.path);
          this.previewed.add(resolve(req.path));
        }
        return handlers['import:preview'](req);
      },
      'import:release': async (req) => {
        await this.remove(req.paths.filter((p) => this.isCopy(p)));
        return handlers['import:release'](req);
      },
      'sync:run': async (req) => this.running(req.audienceId, () => handlers['sync:run'](req), req.sourceOnce),
      'sync:confirmRemovals': async (req) => this.running(req.audienceId, () => handlers['sync:confirmRemovals'](req)),
    };
  }
}
