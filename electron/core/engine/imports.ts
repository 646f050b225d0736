/**
 * The import screens' work on a file the user named: preview (first 256 KiB only), the hash lab (a sample
 * of the chosen column), validation and the rejects export (the whole file, through the hashing workers,
 * with progress and cancel). The renderer never reads the file; it only gets counts, samples and masks.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KeyType, NormalizationProfile } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import type { EventPayloads, RequestOf } from '../../../shared/ipc/contract';
import type { ColumnView, DetectedKind, ExportView, HashLabRow, HashLabValue, HashLabView, PreviewView, TryValueView, ValidationView } from '../../../shared/ipc/dto';
import { countryColumnOf, hashLab, hashValue, loadSuppression, phoneWithCountry, previewCsv, readCohortColumns, readCohortMulti, recordLabels, resolveColumn, selfTest, writeRejectsCsv, type CohortResult, type RejectRecord } from '../cohort';
import type { KeyMapping } from '../store/audiences-repo';
import { multiKeyMappings } from '../sync/entry-layout';
import { sniffCsv, type CsvColumn } from '../cohort/sniff';
import { RateMeter } from './progress';
import { rejectSamples } from './views';

/**
 * Issue #12 item 2: when the file's header is only a guess (previewView's headerDoubtful), a key mapped by
 * the first row's text is saved by its column index instead, so the mapping does not hang on a row that
 * may be data. Columns already given by index, unknown names and unreadable files are left as they are.
 */
export async function pinDoubtfulHeader<K extends { key: KeyType; column?: string | number | null; countryColumn?: string | number }>(file: string, keys: readonly K[]): Promise<K[]> {
  if (!keys.some((k) => typeof k.column === 'string' || typeof k.countryColumn === 'string')) return [...keys];
  let sample;
  try {
    sample = await sniffCsv(file);
  } catch {
    return [...keys];
  }
  if (!sample.hasHeader || !sample.headerDoubtful) return [...keys];
  const pin = (key: KeyType, column: string | number | null | undefined) => {
    if (typeof column !== 'string') return column;
    try {
      return resolveColumn(sample, key, column).index;
    } catch {
      return column;
    }
  };
  // A phone's country column ("country from column X") is pinned the same way as its key column.
  return keys.map((k) => ({ ...k, column: pin(k.key, k.column), ...(k.countryColumn === undefined ? {} : { countryColumn: pin(k.key, k.countryColumn) }) }));
}

/** Hash-lab rows when the request names no limit. */
const HASH_LAB_ROWS = 20;

function columnKind(c: CsvColumn): DetectedKind {
  if (c.detected === 'maid') return c.headerHint === 'gaid' ? 'gaid' : 'idfa';
  return c.detected;
}

export async function previewView(file: string, defaultCountry: string | null = null, hasHeader?: boolean, countryColumn?: number | null): Promise<PreviewView> {
  const p = await previewCsv(file, { defaultCountry, ...(hasHeader === undefined ? {} : { hasHeader }), ...(countryColumn === undefined ? {} : { countryColumn }) });
  const columns: ColumnView[] = p.columns.map((c) => {
    const usable = p.usable.get(c.index);
    return {
      index: c.index,
      name: c.name,
      detected: columnKind(c),
      confidence: c.confidence,
      ...(usable === undefined ? {} : { usable }),
      ...(c.numericId ? { numericId: true } : {}),
      ...(c.mixedPlatforms ? { mixedPlatforms: c.mixedPlatforms } : {}),
      ...(c.platform ? { platform: true } : {}),
      ...(c.country ? { country: true } : {}),
    };
  });
  return {
    path: p.path,
    fileName: p.fileName,
    sizeBytes: p.fileSize,
    delimiter: p.delimiter,
    encoding: p.encoding,
    hasHeader: p.hasHeader,
    headerDoubtful: p.headerDoubtful,
    columns,
    rows: p.rows,
    estimatedRows: Number.isFinite(p.estimatedRows) ? p.estimatedRows : null,
    suggested: p.suggested,
    proposedKeys: p.proposedKeys,
    recordColumn: p.recordColumn,
  };
}

/** Sampled rows the hash lab searches for values that normalization changes. */
const CHANGED_SCAN_ROWS = 1000;
const CHANGED_ROWS = 10;

/**
 * raw → normalized → hash for the first rows of the chosen column, and TikTok's published vectors run
 * through this build. Line numbers count the header as line 1 (blank lines in the sample are skipped).
 */
export async function hashLabView(req: RequestOf<'import:hashLab'>): Promise<HashLabView> {
  const sample = await sniffCsv(req.path, headerOption(req));
  const column = resolveColumn(sample, req.key, req.column);
  const country = countryColumnOf(sample, req.key, req.countryColumn, column.index);
  // A key read from several columns (Email, Email 2): every row shows each column's value, named.
  const columns = [column, ...(req.extraColumns ?? []).map((c) => resolveColumn(sample, req.key, c))];
  // With a country column, a national-format phone is first given its row's country ("030 1234567" + DE → "+4930…").
  const cellAt = (r: readonly string[], index: number) => (country === null ? (r[index] ?? '') : phoneWithCountry(r[index] ?? '', r[country], req.profile.defaultCountry));
  const cell = (r: readonly string[]) => cellAt(r, column.index);
  const records = sample.records.slice(0, req.limit ?? HASH_LAB_ROWS);
  const first = sample.hasHeader ? 2 : 1;
  const rows = records.map((rec, i): HashLabRow => {
    const values = columns.map((c): HashLabValue => {
      const [r] = hashLab(req.key, [cellAt(rec, c.index)], req.profile);
      return { column: c.name, raw: rec[c.index] ?? '', normalized: r!.normalized, hash: r!.hash, passthrough: r!.prehashed, reject: r!.error ?? null };
    });
    const { column: _name, ...firstValue } = values[0]!;
    return { line: first + i, ...firstValue, ...(values.length > 1 ? { values } : {}) };
  });
  const vectors = selfTest().map((v) => ({ label: v.name, key: v.key, input: v.input, expected: v.expected, actual: v.actual, ok: v.pass }));
  // Rows whose value normalization changes (case, spaces, a phone's punctuation): what the user should look at.
  const changed: HashLabView['changed'] = [];
  const scan = sample.records.slice(0, CHANGED_SCAN_ROWS);
  for (let i = 0; i < scan.length && changed.length < CHANGED_ROWS; i++) {
    const raw = scan[i]![column.index] ?? '';
    if (raw.trim() === '') continue;
    const [r] = hashLab(req.key, [cell(scan[i]!)], req.profile);
    if (!r || r.error || r.prehashed || r.normalized === raw) continue;
    changed.push({ line: first + i, raw, normalized: r.normalized, hash: r.hash, passthrough: false, reject: null });
  }
  return { rows, changed, selfTest: vectors };
}

/** One typed value through normalization and hashing, for the hash lab. Pure: nothing is read, written or logged. */
export function tryValue(req: RequestOf<'import:tryValue'>): TryValueView {
  const r = hashValue(req.key, req.value, req.profile);
  return r.ok ? { normalized: r.normalized, hash: r.hash, passthrough: r.prehashed, reject: null } : { normalized: null, hash: null, passthrough: false, reject: r.reason };
}

/**
 * The record id or name column a reject carries: the one the request names, none for null, else (undefined)
 * the file's own record column (id, user_id, record_id, name…) when it has one. Never the key column itself.
 */
async function recordColumnOf(req: { path: string; key: KeyType; column?: string | number; recordColumn?: string | number | null; hasHeader?: boolean; keys?: readonly KeyMapping[] }): Promise<{ index: number; name: string } | null> {
  if (req.recordColumn === null) return null;
  const sample = await sniffCsv(req.path, headerOption(req));
  let rec: { index: number; name: string } | null;
  if (req.recordColumn === undefined) {
    if (!sample.hasHeader) return null;
    const p = await previewCsv(req.path, headerOption(req));
    rec = p.recordColumn === null ? null : { index: p.recordColumn, name: p.columns[p.recordColumn]!.name };
  } else rec = resolveColumn(sample, req.key, req.recordColumn);
  if (!rec) return null;
  // Never a key column itself (of a multi-key mapping: none of them).
  const keyCols = (req.keys ?? [{ key: req.key, column: req.column ?? null }]).map((k) => resolveColumn(sample, k.key, k.column ?? undefined).index);
  return keyCols.includes(rec.index) ? null : rec;
}

/** The carried record values of `rejects` (read in a second pass that stops after the last reject). */
async function labelsFor(req: Parameters<typeof recordColumnOf>[0], rejects: readonly RejectRecord[], signal: AbortSignal): Promise<{ column: string; values: Map<number, string> } | null> {
  if (rejects.length === 0) return null;
  const col = await recordColumnOf(req);
  if (!col) return null;
  return { column: col.name, values: await recordLabels(req.path, col.index, rejects.map((r) => r.row), signal) };
}

export interface FileJobContext {
  signal: AbortSignal;
  emit(payload: EventPayloads['import:progress']): void;
}

interface MappedFile {
  path: string;
  key: KeyType;
  /** Header name or 0-based index; undefined detects the column for the key. */
  column?: string | number;
  /** Phones: the column of ISO country codes for national-format numbers. */
  countryColumn?: string | number;
  /** More columns of the key (#14 §2: `Email 2`): read too, every value counted; their rejects name row and column. */
  extraColumns?: readonly (string | number)[];
  profile: NormalizationProfile;
  /** The user's answer to "is the first row a header?"; absent: judged from the file. */
  hasHeader?: boolean;
}

/** The reader's header option from a request: the user's answer when given, else none (the reader judges). */
function headerOption(req: { hasHeader?: boolean }): { hasHeader?: boolean } {
  return req.hasHeader === undefined ? {} : { hasHeader: req.hasHeader };
}

/**
 * Reads the whole file once, reporting `import:progress` for it: counts and rejects only. The digests are not kept
 * (kept in parts and let go at once, so a 10 M-row file is validated in the memory of a small one).
 */
export async function readWithProgress(req: MappedFile, ctx: FileJobContext, opts: { maxRejects?: number; allowAllRejected?: boolean } = {}): Promise<Omit<CohortResult, 'hashes' | 'parts'>> {
  const { hashes: _none, parts, ...res } = await readCohortColumns({
    path: req.path,
    key: req.key,
    column: req.column,
    countryColumn: req.countryColumn,
    extraColumns: req.extraColumns ?? [],
    profile: req.profile,
    signal: ctx.signal,
    maxRejects: opts.maxRejects,
    allowAllRejected: opts.allowAllRejected,
    ...headerOption(req),
    onProgress: progressTo(req.path, ctx),
    keepParts: true,
  });
  await parts?.dispose();
  return res;
}

/** `import:progress` for a read of `file`, from its first report (sent now) to the whole file. */
function progressTo(file: string, ctx: FileJobContext): (p: { rows: number; bytesRead: number; totalBytes: number }) => void {
  const meter = new RateMeter();
  ctx.emit({ path: file, phase: 'reading', rows: 0, percent: 0 });
  return (p) => {
    const fraction = p.totalBytes ? p.bytesRead / p.totalBytes : null;
    ctx.emit({ path: file, phase: p.rows ? 'hashing' : 'reading', rows: p.rows, percent: fraction === null ? null : Math.round(fraction * 100), ...meter.measure(p.rows, fraction) });
  };
}

/** The validation summary of the whole file; a suppression list named here must load too. */
export async function validateFile(req: RequestOf<'import:validate'>, ctx: FileJobContext): Promise<ValidationView> {
  // A file whose every row is rejected is checked to the end too: its reasons and its rejects report are what the user
  // needs then (the wizard keeps Next disabled for it).
  const res = await readWithProgress(req, ctx, { allowAllRejected: true });
  if (req.suppressPath) await loadSuppression(req.suppressPath, req.key, req.profile, { signal: ctx.signal });
  const sample = rejectSamples(res.rejects);
  const labels = await labelsFor(req, res.rejects.slice(0, sample.length), ctx.signal);
  return {
    rowsRead: res.rowsRead,
    valid: res.valid,
    rejected: res.rejected,
    duplicates: res.duplicates,
    byReason: res.rejectReasons,
    rejectsSample: labels ? sample.map((s) => (labels.values.has(s.line) ? { ...s, record: labels.values.get(s.line)! } : s)) : sample,
    ...(labels ? { recordColumn: labels.column } : {}),
  };
}

/** `<folder>/<name>-rejects.csv` beside the source. */
export function defaultRejectsPath(source: string): string {
  const ext = path.extname(source);
  return path.join(path.dirname(source), `${path.basename(source, ext)}-rejects.csv`);
}

/**
 * Reads the file and writes every reject (row, column, reason, masked value, what to do) as CSV. With `keys` (a
 * multi-key mapping) every key's cells are read, as a sync of that audience reads them, and each reject says whether
 * its row was kept for another key: the same report as `cohort-relay plan --keys … --rejects`.
 */
export async function exportRejects(req: MappedFile & { outPath?: string; recordColumn?: string | number | null; keys?: readonly KeyMapping[] }, ctx: FileJobContext): Promise<ExportView> {
  const outPath = req.outPath ?? defaultRejectsPath(req.path);
  if (path.resolve(outPath) === path.resolve(req.path)) throw new AppError('INVALID_ARGUMENT', 'The rejects report would overwrite the cohort file itself. Choose another file name.');
  if (!fs.existsSync(path.dirname(outPath))) throw new AppError('FILE_NOT_FOUND', `The folder ${path.dirname(outPath)} does not exist. Choose a folder that exists.`);
  // A file whose every row is rejected is when the report is wanted most.
  const res =
    req.keys && req.keys.length > 1
      ? await readCohortMulti({ path: req.path, keys: multiKeyMappings({ name: path.basename(req.path), keys: [...req.keys], api: 'file' }), profile: req.profile, signal: ctx.signal, maxRejects: Number.MAX_SAFE_INTEGER, allowAllRejected: true, onProgress: progressTo(req.path, ctx), ...headerOption(req) })
      : await readWithProgress(req, ctx, { maxRejects: Number.MAX_SAFE_INTEGER, allowAllRejected: true });
  await writeRejectsCsv(res.rejects, outPath, (await labelsFor(req, res.rejects, ctx.signal)) ?? undefined);
  return { outPath, written: res.rejects.length };
}

/** One AbortController per file path, so `import:cancel` can stop a preview, validation or export. */
export class FileJobs {
  private readonly jobs = new Map<string, Set<AbortController>>();

  async run<T>(file: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const c = new AbortController();
    let set = this.jobs.get(file);
    if (!set) this.jobs.set(file, (set = new Set()));
    set.add(c);
    try {
      return await fn(c.signal);
    } finally {
      set.delete(c);
      if (set.size === 0) this.jobs.delete(file);
    }
  }

  cancel(file: string): boolean {
    const set = this.jobs.get(file);
    if (!set) return false;
    for (const c of set) c.abort();
    return true;
  }

  cancelAll(): void {
    for (const set of this.jobs.values()) for (const c of set) c.abort();
  }
}
