/**
 * Which files the renderer may name (issue #12.1). The renderer is not trusted with the file system: a path
 * it sends is served only when the user picked it outside the page's control —
 *   - a drop or file picker in Electron (the preload's webUtils.getPathForFile, told to main),
 *   - an upload to the web host (a private copy, for a one-off check or sync only),
 *   - a folder the user granted when starting the web host (`--allow-folder DIR`), and what is under it,
 *   - an audience's saved source or suppression list (saved through this same gate, or by the CLI).
 * Paths are compared after resolving symlinks, so a link inside a granted folder cannot point outside it.
 *
 * Report destinations are never named by the renderer: the host chooses them (a save dialog in Electron, a
 * browser download in the web host) through `ReportTargets`.
 *
 * `withFileGrants` wraps the engine's handlers for a host; the CLI does not use it (its paths are typed by
 * the user on the command line).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { Handlers, RequestOf } from '../../shared/ipc/contract';
import type { ExportView, SettingsView } from '../../shared/ipc/dto';

export type GrantOrigin = 'drop' | 'dialog' | 'upload';

interface Grant {
  real: string;
  origin: GrantOrigin;
  /** A granted folder covers what is under it. */
  tree: boolean;
}

/** The real path (symlinks resolved) of an existing file or folder; null when it does not exist. */
function realPath(p: string): string | null {
  try {
    return fs.realpathSync.native(path.resolve(p));
  } catch {
    return null;
  }
}

/**
 * Where a path that does not exist would be: its nearest existing folder with symlinks resolved, and the rest appended
 * (so a link inside a granted folder that points out of it still leads out); null when no part of it exists.
 */
function wouldBe(p: string): string | null {
  const full = path.resolve(p);
  let dir = path.dirname(full);
  for (;;) {
    const real = realPath(dir);
    if (real) return path.join(real, path.relative(dir, full));
    // There but not resolvable: a dangling link, whose target could be anywhere. Nothing is said about such a path
    // (telling "missing" here and "not given" for a live link out would tell whether the outside target exists).
    if (fs.lstatSync(dir, { throwIfNoEntry: false })) return null;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function within(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

export class FileGrants {
  private readonly grants = new Map<string, Grant>();
  private readonly allowed: { shown: string; real: string }[] = [];

  /** Grants folders named at start-up. A folder that does not exist is refused with words naming it. */
  constructor(allowFolders: readonly string[] = []) {
    for (const dir of allowFolders) this.allowFolder(dir);
  }

  allowFolder(dir: string): void {
    const real = realPath(dir);
    if (!real || !fs.statSync(real).isDirectory()) {
      throw new AppError('FILE_NOT_FOUND', `The folder ${dir} given with --allow-folder does not exist. Create it, or name a folder that exists.`);
    }
    if (!this.allowed.some((a) => a.real === real)) this.allowed.push({ shown: path.resolve(dir), real });
  }

  /** The folders granted at start-up, as the user named them (absolute). */
  folders(): string[] {
    return this.allowed.map((a) => a.shown);
  }

  /** Records a file or folder the user picked; returns false when it does not exist (nothing is granted). */
  grant(p: string, origin: GrantOrigin): boolean {
    const real = realPath(p);
    if (!real) return false;
    const tree = fs.statSync(real).isDirectory();
    this.grants.set(real, { real, origin, tree });
    return true;
  }

  /** How the user gave this path, or null when they did not. */
  originOf(p: string): GrantOrigin | 'allowed-folder' | null {
    const real = realPath(p);
    if (!real) return null;
    const exact = this.grants.get(real);
    if (exact) return exact.origin;
    for (const g of this.grants.values()) if (g.tree && within(real, g.real)) return g.origin;
    for (const a of this.allowed) if (within(real, a.real)) return 'allowed-folder';
    return null;
  }

  /**
   * A path that does not exist, but would be under a folder the user granted (--allow-folder, or a picked folder): the
   * page may be told it is missing. A missing path anywhere else is refused like any other (nothing said about it).
   */
  wouldCover(p: string): boolean {
    if (realPath(p)) return false;
    const real = wouldBe(p);
    if (!real) return false;
    for (const g of this.grants.values()) if (g.tree && within(real, g.real)) return true;
    return this.allowed.some((a) => within(real, a.real));
  }
}

/** Where the host puts a rejects report. null: the user cancelled the save dialog. */
export interface ReportTarget {
  path: string;
  /** The web host's download address (no token) for this report. */
  download?: string;
}
export interface ReportTargets {
  choose(suggestedName: string): Promise<ReportTarget | null>;
}

const NOT_GIVEN = (p: string) =>
  new AppError(
    'PERMISSION_DENIED',
    `Cohort Relay may only read files you gave it, and ${p} was not: drop it on the window or choose it with the file picker. In the browser version, start it with --allow-folder and the folder that holds the file (npm start -- --allow-folder DIR).`,
  );

const RECURRING = new Set(['hourly', 'daily', 'weekly']);

function rejectsName(source: string): string {
  const ext = path.extname(source);
  return `${path.basename(source, ext) || 'cohort'}-rejects.csv`;
}

/**
 * The engine's handlers behind the gate: every path the renderer names must be one the user gave; report
 * destinations come from `targets`, never from the request.
 */
export function withFileGrants(handlers: Handlers, grants: FileGrants, targets: ReportTargets): Handlers {
  const savedSources = async (): Promise<Set<string>> => {
    const out = new Set<string>();
    for (const a of await handlers['audiences:list'](undefined)) {
      for (const p of [a.sourcePath, a.suppressPath]) {
        const real = p ? realPath(p) : null;
        if (real) out.add(real);
      }
    }
    return out;
  };
  const mayRead = async (p: string | null | undefined): Promise<void> => {
    if (p === null || p === undefined) return;
    if (grants.originOf(p)) return;
    const real = realPath(p);
    if (real) {
      const saved = await savedSources();
      for (const s of saved) if (real === s || within(real, s)) return;
    } else if (grants.wouldCover(p)) {
      throw new AppError('FILE_NOT_FOUND', `The file ${p} does not exist. Check its name and folder (is it still there?), or choose it again with the file picker.`);
    }
    throw NOT_GIVEN(p);
  };
  /** A scheduled sync needs a file that stays on the machine, not an upload's temp copy. */
  const mayKeep = (p: string | null | undefined, recurring: boolean): void => {
    if (p && recurring && grants.originOf(p) === 'upload') {
      throw new AppError(
        'INVALID_ARGUMENT',
        'An uploaded file is a copy the browser version removes once the sync that read it ends or its page closes, so it can be synced once but not on a schedule. To sync on a schedule, start with --allow-folder and the folder that holds the file (npm start -- --allow-folder DIR), then choose the file from there.',
      );
    }
  };
  const target = async (source: string): Promise<ReportTarget> => {
    const t = await targets.choose(rejectsName(source));
    if (!t) throw new AppError('CANCELLED', 'No rejects report was written: no destination was chosen.');
    return t;
  };
  const noOutPath = (outPath: string | undefined) => {
    if (outPath !== undefined) throw new AppError('PERMISSION_DENIED', 'The page may not choose where a report is written. Cohort Relay asks you where to save it.');
  };
  const withFolders = (view: SettingsView): SettingsView => (grants.folders().length ? { ...view, grantedFolders: grants.folders() } : view);
  const withDownload = (view: ExportView, t: ReportTarget): ExportView => (t.download ? { ...view, download: t.download } : view);

  return {
    ...handlers,
    'import:preview': async (req) => {
      await mayRead(req.path);
      return handlers['import:preview'](req);
    },
    'import:hashLab': async (req) => {
      await mayRead(req.path);
      return handlers['import:hashLab'](req);
    },
    'import:validate': async (req) => {
      await mayRead(req.path);
      await mayRead(req.suppressPath);
      return handlers['import:validate'](req);
    },
    'import:exportRejects': async (req: RequestOf<'import:exportRejects'>) => {
      noOutPath(req.outPath);
      await mayRead(req.path);
      const t = await target(req.path);
      return withDownload(await handlers['import:exportRejects']({ ...req, outPath: t.path }), t);
    },
    'runs:exportRejects': async (req) => {
      noOutPath(req.outPath);
      const run = await handlers['runs:get']({ runId: req.runId });
      const t = await target(run.sourcePath ?? 'run');
      return withDownload(await handlers['runs:exportRejects']({ ...req, outPath: t.path }), t);
    },
    'audiences:create': async (req) => {
      await mayRead(req.sourcePath);
      await mayRead(req.suppressPath);
      mayKeep(req.sourcePath, RECURRING.has(req.cadence.kind));
      return handlers['audiences:create'](req);
    },
    'audiences:update': async (req) => {
      await mayRead(req.sourcePath);
      await mayRead(req.suppressPath);
      if (req.sourcePath !== undefined || req.cadence) {
        const cur = (await handlers['audiences:list'](undefined)).find((a) => a.id === req.id);
        const cadence = req.cadence ?? cur?.cadence;
        mayKeep(req.sourcePath ?? cur?.sourcePath, cadence ? RECURRING.has(cadence.kind) : false);
      }
      return handlers['audiences:update'](req);
    },
    // A dry run of an unsaved draft reads its files too, and plans only what could be saved.
    'sync:plan': async (req) => {
      if ('create' in req) {
        await mayRead(req.create.sourcePath);
        await mayRead(req.create.suppressPath);
        mayKeep(req.create.sourcePath, RECURRING.has(req.create.cadence.kind));
      } else if (req.draft) {
        await mayRead(req.draft.sourcePath);
        await mayRead(req.draft.suppressPath);
        const cadence = req.draft.cadence ?? (await handlers['audiences:list'](undefined)).find((a) => a.id === req.audienceId)?.cadence;
        mayKeep(req.draft.sourcePath, cadence ? RECURRING.has(cadence.kind) : false);
      }
      return handlers['sync:plan'](req);
    },
    // A one-off file for one run ("Use this file once") is read, never kept: an upload may serve it.
    'sync:run': async (req) => {
      await mayRead(req.sourceOnce);
      return handlers['sync:run'](req);
    },
    'settings:get': async (req) => withFolders(await handlers['settings:get'](req)),
    'settings:set': async (req) => withFolders(await handlers['settings:set'](req)),
  };
}
