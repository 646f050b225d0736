/**
 * The import / sync wizard: file → columns → hash lab → validation → destination → dry run → sync.
 * The engine reads the file; the wizard only names it (a host path from bridge.fileToPath) and shows answers.
 */
import { getBridge } from '../../app/bridge';
import { failed, idle, loading, ready, toShape } from '../../app/remote';
import type { Remote } from '../../app/remote';
import type { SliceCreator } from '../../app/store';
import { DEFAULT_PROFILE, KEY_LABELS, KEY_TYPES, defaultPhoneKeepPlus } from '../../../../shared/domain';
import type { KeyType, NormalizationProfile } from '../../../../shared/domain';
import type { AppErrorShape } from '../../../../shared/errors';
import type { EventPayloads, RequestOf } from '../../../../shared/ipc/contract';
import type { AudienceSubType } from '../../../../shared/ipc/audience-use-dto';
import type { Cadence, ExportView, HashLabView, KeySlot, PlanView, PreviewView, TiktokAudienceView, TryValueView, ValidationView } from '../../../../shared/ipc/dto';
import { KEY_SLOTS, slotOf } from '../../app/keys';

export const IMPORT_STEPS = ['file', 'columns', 'hashlab', 'validate', 'destination', 'dryrun', 'sync'] as const;
export type ImportStep = (typeof IMPORT_STEPS)[number];

export const IMPORT_STEP_LABELS: Record<ImportStep, string> = {
  file: 'File',
  columns: 'Columns',
  hashlab: 'Hash lab',
  validate: 'Validation',
  destination: 'Destination',
  dryrun: 'Dry run',
  sync: 'Sync',
};

export type ImportProgress = EventPayloads['import:progress'];
export type RunFinished = EventPayloads['run:finished'];

/** What the dry run planned: a new audience to create, or a saved one whose source and schedule change. */
export type PendingSave =
  | { kind: 'create'; request: RequestOf<'audiences:create'> }
  | { kind: 'update'; audienceId: number; request: RequestOf<'audiences:update'>; sourceChange: { from: string; to: string } | null; sourceOnce?: string };

/** A file for an audience that reads a watched folder: it replaces the folder as the source, or serves one sync only. */
export type FolderChoice = 'once' | 'replace';

export type SourceChoice = { kind: 'file' } | { kind: 'folder'; folder: string; pattern: string };

export interface PickedFile {
  path: string;
  name: string;
}

/** One key of the audience: a key type read from a column (0-based index in the preview). */
export interface KeyChoice {
  key: KeyType;
  column: number;
}

/** Customer-file audience (TikTok's file API) or partner audience (segment API, allowlisted apps only). */
export type AudienceApi = 'file' | 'segment';

/** The creation options as the Destination step edits them (retention as typed: '' is TikTok's default). */
export interface WizardCreateOptions {
  retention: string;
  enhancement: boolean;
  subType: AudienceSubType;
}

export const DEFAULT_WIZARD_CREATE_OPTIONS: WizardCreateOptions = { retention: '', enhancement: false, subType: 'NORMAL' };

/** A retention as typed is empty (TikTok's default) or a whole number of days from 1 to 365. */
export function retentionOk(typed: string): boolean {
  const t = typed.trim();
  if (!t) return true;
  const n = Number(t);
  return /^\d+$/.test(t) && n >= 1 && n <= 365;
}

function isDefaultCreateOptions(o: WizardCreateOptions): boolean {
  return !o.retention.trim() && !o.enhancement && o.subType === 'NORMAL';
}

/** Most keys a multi-key audience holds: email, phone and one mobile ad id. */
export const MAX_KEYS = KEY_SLOTS.length;

export interface ImportSlice {
  step: ImportStep;
  file: PickedFile | null;
  /** Handing the file to the host (an upload in the web host). */
  fileBusy: boolean;
  fileError: AppErrorShape | null;
  preview: Remote<PreviewView>;
  /** The user's answer to "is the first row a header?" (#12 item 2); null: the engine's judgement stands. */
  headerOverride: boolean | null;
  /** Re-reads the file with the first row as a header (true) or as data (false); the answer is saved with the audience. */
  setHasHeader(hasHeader: boolean): Promise<void>;
  /** The key the columns step, hash lab and validation look at (one at a time, also in a multi-key audience). */
  keyColumn: number | null;
  keyType: KeyType;
  /** "Match on several keys": the audience keeps keyChoices (2–3, one per slot) instead of the one key above. */
  multiKey: boolean;
  keyChoices: KeyChoice[];
  /**
   * More columns of a chosen key (#14 §2: `Email 1`, `Email 2`, a person with two emails), by key type: every value is
   * sent. At most MAX_COLUMNS_PER_KEY − 1 besides the key's own column.
   */
  extraColumns: Partial<Record<KeyType, number[]>>;
  profile: NormalizationProfile;
  hashLab: Remote<HashLabView>;
  /** The hash lab's "try a value": the typed value's normalized form and hash (nothing is saved or sent). */
  tryResult: Remote<TryValueView>;
  /** The column (0-based) each reject carries to find the row (a record id or name); null: none. */
  recordColumn: number | null;
  /** Phones: the column (0-based) of ISO country codes national-format numbers are read with; null: none. */
  countryColumn: number | null;
  validation: Remote<ValidationView>;
  importProgress: ImportProgress | null;
  rejectsExport: Remote<ExportView>;
  suppress: PickedFile | null;
  connectionId: string | null;
  advertiserId: string | null;
  target: 'new' | 'existing';
  audienceName: string;
  existingTiktokId: string | null;
  tiktokAudiences: Remote<TiktokAudienceView[]>;
  /** Which TikTok API a new audience uses. */
  audienceApi: AudienceApi;
  /**
   * What TikTok takes only when it creates a new customer-file audience (#14 §1): retention in days as typed ('' for
   * TikTok's default), Custom Audience Enhancement, Reach & Frequency. Stored with use:setCreateOptions once saved.
   */
  createOptions: WizardCreateOptions;
  /** The audience whose creation options were stored (a failed store is tried again by the next Sync now / Save). */
  createOptionsSavedFor: number | null;
  /** The user set "keep the '+' of phones" themselves: the API choice no longer changes it. */
  phonePlusChosen: boolean;
  cadence: Cadence;
  /** Where later syncs read from: this file again, or the newest matching file in a folder. */
  source: SourceChoice;
  /** The local audience the sync works on: saved by "Sync now" (the dry run saves nothing). */
  draftAudienceId: number | null;
  /** True when "Sync now" created that audience. */
  draftCreated: boolean;
  /** The API the audience was saved with; a later 'file' on a 'segment' audience is TikTok's refusal (fallback). */
  draftApi: AudienceApi | null;
  /** The single key chosen before "Match on several keys" was turned on: turning it off restores it. */
  singleKey: KeyChoice | null;
  /** What the dry run planned, saved only by "Sync now" or "Save". */
  pending: PendingSave | null;
  /** The file and an audience that reads a watched folder (#11 item 9): "Use this file once" unless the user says replace. */
  folderChoice: FolderChoice;
  setFolderChoice(choice: FolderChoice): void;
  plan: Remote<PlanView>;
  runId: number | null;
  runStarting: boolean;
  /** While "Sync now" saves a new audience (TikTok is asked about its name): the id its Cancel ends that question by. */
  createCancelId: string | null;
  runError: AppErrorShape | null;
  runResult: RunFinished | null;

  /** A dropped or picked File, or (web host) a path under a folder granted with --allow-folder. */
  openFile(file: File | GrantedFile): Promise<void>;
  setKeyColumn(column: number): void;
  setKeyType(key: KeyType): void;
  setMultiKey(on: boolean): void;
  /** Maps a slot to a key and column, or (null) leaves the slot out. */
  setSlotChoice(slot: KeySlot, choice: KeyChoice | null): void;
  /** Reads `key` from one more column too (a second or third email); refused past MAX_COLUMNS_PER_KEY. */
  addExtraColumn(key: KeyType, column: number): void;
  removeExtraColumn(key: KeyType, column: number): void;
  /** Switches the hash lab / validation to another of the chosen keys, and re-runs the step on screen. */
  showKey(choice: KeyChoice): Promise<void>;
  setAudienceApi(api: AudienceApi): void;
  setCreateOptions(patch: Partial<WizardCreateOptions>): void;
  setProfile(patch: Partial<NormalizationProfile>): void;
  goToStep(step: ImportStep): void;
  runHashLab(): Promise<void>;
  /** Normalizes and hashes one typed value with the chosen key and profile; writes nothing anywhere. */
  tryValue(value: string): Promise<void>;
  setRecordColumn(column: number | null): void;
  setCountryColumn(column: number | null): void;
  validate(): Promise<void>;
  cancelValidate(): Promise<void>;
  setImportProgress(p: ImportProgress): void;
  exportRejects(): Promise<void>;
  setSuppressFile(file: File | null): Promise<void>;
  setDestination(connectionId: string, advertiserId: string): Promise<void>;
  loadTiktokAudiences(): Promise<void>;
  setTarget(target: 'new' | 'existing'): void;
  setAudienceName(name: string): void;
  setExistingTiktokId(id: string | null): void;
  setCadence(c: Cadence): void;
  setSource(source: SourceChoice): void;
  prepareDryRun(): Promise<void>;
  /** Saves what the dry run planned without syncing (the audience then syncs on its schedule). */
  saveDraft(): Promise<void>;
  /** "Start when the cohort reaches 1,000": saves the new audience as waiting; scheduled syncs create it once the file has 1,000 people. */
  saveWaitingForFloor(): Promise<void>;
  discardDraft(): Promise<void>;
  startSync(): Promise<void>;
  /** "Sync anyway (once)" for the wizard's held sync: confirms exactly that change and follows the new run. */
  confirmHeldSync(): Promise<void>;
  cancelSync(): Promise<void>;
  onRunFinished(p: RunFinished): void;
  resetWizard(): void;
}

/**
 * Manual until the user picks a schedule: nothing runs that they did not confirm (PRODUCT.md). A daily default ran
 * unseen: a first sync cancelled in the wizard still left the audience scheduled, created at TikTok at 06:00.
 */
const DEFAULT_CADENCE: Cadence = { kind: 'manual' };

/** A file the web host may read without an upload: under a folder granted at start-up (--allow-folder). */
export interface GrantedFile {
  path: string;
  name: string;
}

function initial() {
  return {
    step: 'file' as ImportStep,
    file: null,
    fileBusy: false,
    fileError: null,
    preview: idle<PreviewView>(),
    headerOverride: null as boolean | null,
    keyColumn: null,
    keyType: 'email' as KeyType,
    multiKey: false,
    keyChoices: [] as KeyChoice[],
    extraColumns: {} as Partial<Record<KeyType, number[]>>,
    profile: DEFAULT_PROFILE,
    hashLab: idle<HashLabView>(),
    tryResult: idle<TryValueView>(),
    recordColumn: null as number | null,
    countryColumn: null as number | null,
    validation: idle<ValidationView>(),
    importProgress: null,
    rejectsExport: idle<ExportView>(),
    suppress: null,
    connectionId: null,
    advertiserId: null,
    target: 'new' as const,
    audienceName: '',
    existingTiktokId: null,
    tiktokAudiences: idle<TiktokAudienceView[]>(),
    audienceApi: 'file' as AudienceApi,
    createOptions: { ...DEFAULT_WIZARD_CREATE_OPTIONS } as WizardCreateOptions,
    createOptionsSavedFor: null as number | null,
    phonePlusChosen: false,
    cadence: DEFAULT_CADENCE,
    source: { kind: 'file' } as SourceChoice,
    draftAudienceId: null,
    draftCreated: false,
    draftApi: null as AudienceApi | null,
    singleKey: null as KeyChoice | null,
    pending: null as PendingSave | null,
    folderChoice: 'once' as FolderChoice,
    plan: idle<PlanView>(),
    runId: null,
    runStarting: false,
    createCancelId: null as string | null,
    runError: null,
    runResult: null,
  };
}

function isKeyType(x: unknown): x is KeyType {
  return (KEY_TYPES as readonly unknown[]).includes(x);
}

/** Columns the preview recognized as a key (or a hash of one): more than one makes "Match on several keys" worth offering. */
export function detectedKeyColumns(preview: PreviewView | null): number {
  return preview ? preview.columns.filter((c) => c.detected !== null).length : 0;
}

/** TikTok takes up to 3 values of a kind per person: at most 3 columns map to one key. */
export const MAX_COLUMNS_PER_KEY = 3;

/** Why a key cannot take one more column, in words; null while it can. */
export function extraColumnRefusal(key: KeyType, columnsNow: number): string | null {
  return columnsNow >= MAX_COLUMNS_PER_KEY ? `At most ${MAX_COLUMNS_PER_KEY} columns per key: TikTok takes up to ${MAX_COLUMNS_PER_KEY} values of one kind per person (${KEY_LABELS[key]}).` : null;
}

/**
 * Columns whose values look like the same key (Email 1 / Email 2, email / secondary_email, Phone / Mobile), by key type,
 * in file order, at most MAX_COLUMNS_PER_KEY each: what the columns step proposes to send together.
 */
export function sameKeyColumnGroups(preview: PreviewView | null): Partial<Record<KeyType, number[]>> {
  const out: Partial<Record<KeyType, number[]>> = {};
  for (const c of preview?.columns ?? []) {
    if (!isKeyType(c.detected)) continue;
    const group = (out[c.detected] ??= []);
    if (group.length < MAX_COLUMNS_PER_KEY) group.push(c.index);
  }
  for (const k of Object.keys(out) as KeyType[]) if (out[k]!.length < 2) delete out[k];
  return out;
}

/** The extra columns of `key` that still count: not the key's own column nor another chosen key's. */
export function liveExtras(s: { extraColumns: Partial<Record<KeyType, number[]>>; multiKey: boolean; keyChoices: readonly KeyChoice[]; keyColumn: number | null; keyType: KeyType }, key: KeyType): number[] {
  const taken = new Set(s.multiKey ? s.keyChoices.map((c) => c.column) : s.keyColumn === null ? [] : [s.keyColumn]);
  const chosen = s.multiKey ? s.keyChoices.some((c) => c.key === key) : s.keyType === key;
  return chosen ? (s.extraColumns[key] ?? []).filter((c) => !taken.has(c)).slice(0, MAX_COLUMNS_PER_KEY - 1) : [];
}

/** Why the chosen keys cannot make a multi-key audience yet, in words; null when they can. */
export function multiKeyProblem(choices: readonly KeyChoice[]): string | null {
  if (choices.length < 2) return 'Choose at least two keys, or turn off "Match on several keys".';
  if (new Set(choices.map((c) => c.column)).size !== choices.length) return 'Each key needs its own column.';
  return null;
}

/** "Email (column `email`)" per key the audience matches on, in slot order; null before a key column is chosen. */
export function matchingOnText(s: { preview: Remote<PreviewView>; multiKey: boolean; keyChoices: readonly KeyChoice[]; keyColumn: number | null; keyType: KeyType; extraColumns: Partial<Record<KeyType, number[]>> }): string | null {
  const p = s.preview.data;
  const choices = s.multiKey ? s.keyChoices : s.keyColumn === null ? [] : [{ key: s.keyType, column: s.keyColumn }];
  if (!p || choices.length === 0) return null;
  return choices
    .map((c) => {
      const named = p.hasHeader && !p.headerDoubtful;
      const all = [c.column, ...liveExtras(s, c.key)].map((i) => {
        const col = p.columns.find((x) => x.index === i);
        return col && named ? `\`${col.name}\`` : `${i + 1}`;
      });
      // Several columns of a key: every value is sent (#14 §2).
      return all.length > 1 ? `${KEY_LABELS[c.key]} (columns ${all.join(', ')}, every value sent)` : `${KEY_LABELS[c.key]} (column ${all[0]})`;
    })
    .join(', ');
}

/** A first guess for several keys: the key already chosen, then the engine's proposed keys, then one detected column per free slot. */
function suggestChoices(preview: PreviewView, current: KeyChoice | null): KeyChoice[] {
  const out: KeyChoice[] = current ? [current] : [];
  for (const p of preview.proposedKeys ?? []) {
    if (out.length < MAX_KEYS && !out.some((o) => o.column === p.column || slotOf(o.key) === slotOf(p.key))) out.push(p);
  }
  for (const c of preview.columns) {
    if (!isKeyType(c.detected) || out.length >= MAX_KEYS) continue;
    const key = c.detected;
    if (out.some((o) => o.column === c.index || slotOf(o.key) === slotOf(key))) continue;
    out.push({ key, column: c.index });
  }
  return sortBySlot(out);
}

function sortBySlot(choices: KeyChoice[]): KeyChoice[] {
  return [...choices].sort((a, b) => KEY_SLOTS.indexOf(slotOf(a.key)) - KEY_SLOTS.indexOf(slotOf(b.key)));
}

/** "spring-cohort.csv" → "spring-cohort": a sensible first audience name. */
function nameFromFile(fileName: string): string {
  return fileName.replace(/\.(csv|tsv|txt)$/i, '').slice(0, 128) || 'New audience';
}

export const createImportSlice: SliceCreator<ImportSlice> = (set, get) => {
  /** The mapped-file part every import call takes; null until a file and a column are chosen. */
  function mapped() {
    const s = get();
    const col = s.preview.data?.columns.find((c) => c.index === s.keyColumn);
    if (!s.file || !col || !s.preview.data) return null;
    const country = countryRef(s.keyType);
    return { path: s.file.path, key: s.keyType, column: columnRef(col.index)!, ...(country === null ? {} : { countryColumn: country }), profile: s.profile, ...headerRef() };
  }

  /** The user's header answer for a request, when they gave one (else the engine judges). */
  function headerRef(): { hasHeader?: boolean } {
    const h = get().headerOverride;
    return h === null ? {} : { hasHeader: h };
  }

  /** "Country from column X": the country column a phone key is read with, as the engine names columns; null otherwise. */
  function countryRef(key: KeyType): string | number | null {
    const c = get().countryColumn;
    return key === 'phone' && c !== null ? columnRef(c) : null;
  }

  /**
   * Header names survive a re-export with reordered columns; files without a header use the index, and so
   * does a header that is only a guess (headerDoubtful: the first row may be data, issue #12 item 2).
   */
  function columnRef(index: number): string | number | null {
    const p = get().preview.data;
    const col = p?.columns.find((c) => c.index === index);
    if (!p || !col) return null;
    return p.hasHeader && !p.headerDoubtful ? col.name : col.index;
  }

  /**
   * The usable share of each column depends on the default country (a national phone is usable only with one): after
   * a change, the preview is asked again and only the shares are taken from it. A half-typed country is not asked.
   */
  async function refreshUsable(): Promise<void> {
    const { file, profile, preview, countryColumn } = get();
    const country = profile.defaultCountry;
    if (!file || !preview.data || (country !== null && !/^[A-Z]{2}$/.test(country))) return;
    try {
      // With the chosen country column too: a national-format phone is usable with its row's country.
      const fresh = await getBridge().import.preview({ path: file.path, ...(country ? { defaultCountry: country } : {}), countryColumn, ...headerRef() });
      const now = get();
      if (now.file?.path !== file.path || now.profile.defaultCountry !== country || now.countryColumn !== countryColumn || !now.preview.data) return;
      const usable = new Map(fresh.columns.map((c) => [c.index, c.usable]));
      set({ preview: ready({ ...now.preview.data, columns: now.preview.data.columns.map((c) => ({ ...c, usable: usable.get(c.index) })) }) });
    } catch {
      // The shares stay as they were: the file itself was read before, and the next step reports a real problem.
    }
  }

  /** The key on screen's further columns (#14 §2), for validation and the rejects report: they read every value. */
  function extrasRef(): { extraColumns?: (string | number)[] } {
    const s = get();
    const refs = liveExtras(s, s.keyType)
      .map(columnRef)
      .filter((r): r is string | number => r !== null);
    return refs.length > 0 ? { extraColumns: refs } : {};
  }

  /** The record column the rejects carry, as the engine names columns; null for none. */
  function recordRef(): string | number | null {
    const c = get().recordColumn;
    return c === null ? null : columnRef(c);
  }

  /** The mappings the audience is saved with: every chosen key of a multi-key audience, else the one key. */
  function audienceKeys(): { key: KeyType; column: string | number; countryColumn?: string | number; extraColumns?: (string | number)[] }[] | null {
    const s = get();
    const extras = (key: KeyType) => {
      const refs = liveExtras(s, key)
        .map(columnRef)
        .filter((r): r is string | number => r !== null);
      return refs.length > 0 ? { extraColumns: refs } : {};
    };
    if (!s.multiKey) {
      const m = mapped();
      return m ? [{ key: m.key, column: m.column, ...(m.countryColumn === undefined ? {} : { countryColumn: m.countryColumn }), ...extras(m.key) }] : null;
    }
    if (multiKeyProblem(s.keyChoices)) return null;
    const out = s.keyChoices.map((c) => {
      const country = countryRef(c.key);
      return { key: c.key, column: columnRef(c.column), ...(country === null ? {} : { countryColumn: country }), ...extras(c.key) };
    });
    return out.every((k): k is { key: KeyType; column: string | number } => k.column !== null) ? out : null;
  }

  const runActive = () => {
    const s = get();
    return s.runStarting || (s.runId !== null && s.runResult === null);
  };

  /** Saves what the dry run planned (creates the audience, or changes its source and schedule); its id, or null on an error. */
  async function save(): Promise<number | null> {
    const { pending, draftAudienceId } = get();
    if (!pending) return (await saveCreateOptions()) ? draftAudienceId : null;
    // A new audience's name is checked at TikTok first: the sync step's Cancel ends that question (sync:cancel { cancelId }).
    const cancelId = pending.kind === 'create' ? `create-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}` : null;
    try {
      const b = getBridge();
      if (cancelId !== null) set({ createCancelId: cancelId });
      const a = pending.kind === 'create' ? await b.audiences.create({ ...pending.request, cancelId: cancelId! }).finally(() => set({ createCancelId: null })) : await b.audiences.update(pending.request);
      set({ draftAudienceId: a.id, draftCreated: pending.kind === 'create', draftApi: a.api, pending: null });
      void get().loadAudiences();
      return (await saveCreateOptions()) ? a.id : null;
    } catch (err) {
      set({ runError: toShape(err) });
      return null;
    }
  }

  /**
   * Stores the creation options of an audience this wizard created, before its first sync (whose create sends them).
   * Only a new customer-file audience takes them, and only when they differ from TikTok's defaults. False on an error.
   */
  async function saveCreateOptions(): Promise<boolean> {
    const s = get();
    const id = s.draftAudienceId;
    if (id === null || !s.draftCreated || s.target !== 'new' || s.draftApi === 'segment' || s.createOptionsSavedFor === id || isDefaultCreateOptions(s.createOptions)) return true;
    const o = s.createOptions;
    try {
      await getBridge().use.setCreateOptions({ id, retentionInDays: o.retention.trim() ? Number(o.retention) : null, audienceEnhancement: o.enhancement, subType: o.subType });
      set({ createOptionsSavedFor: id });
      return true;
    } catch (err) {
      set({ runError: toShape(err) });
      return false;
    }
  }

  return {
    ...initial(),

    async openFile(file) {
      if (runActive()) {
        set({ fileError: { code: 'SYNC_RUNNING', message: 'A sync started from this wizard is still running. Wait for it to finish or cancel it, then drop the file again.', retryable: true } });
        return;
      }
      const defaultCountry = get().settings.data?.defaultCountry ?? null;
      set({ ...initial(), profile: { ...DEFAULT_PROFILE, defaultCountry }, fileBusy: true, route: { name: 'import' } });
      let path: string;
      try {
        path = 'path' in file ? file.path : await getBridge().fileToPath(file);
      } catch (err) {
        set({ fileBusy: false, fileError: toShape(err) });
        return;
      }
      // The cadence stays manual (initial()); the web host's upload, a temp copy, may not be given a schedule (#11 S1.5).
      set({ fileBusy: false, file: { path, name: file.name }, audienceName: nameFromFile(file.name), preview: loading(idle()) });
      try {
        const preview = await getBridge().import.preview({ path, ...(defaultCountry ? { defaultCountry } : {}) });
        if (get().file?.path !== path) return;
        const suggested = preview.suggested;
        const firstKeyColumn = preview.columns.find((c) => isKeyType(c.detected));
        set({
          preview: ready(preview),
          keyColumn: suggested?.column ?? firstKeyColumn?.index ?? preview.columns[0]?.index ?? null,
          keyType: suggested?.key ?? (firstKeyColumn && isKeyType(firstKeyColumn.detected) ? firstKeyColumn.detected : 'email'),
          recordColumn: preview.recordColumn ?? null,
          countryColumn: preview.columns.find((c) => c.country)?.index ?? null,
          step: 'columns',
        });
      } catch (err) {
        if (get().file?.path === path) set((s) => ({ preview: failed(s.preview, err) }));
      }
    },

    async setHasHeader(hasHeader) {
      const file = get().file;
      if (!file) return;
      const defaultCountry = get().settings.data?.defaultCountry ?? null;
      // Every column and key choice was made on the other reading of the file: they are chosen again.
      set((s) => ({ headerOverride: hasHeader, preview: loading(s.preview), multiKey: false, keyChoices: [], hashLab: idle(), validation: idle(), plan: idle() }));
      try {
        const preview = await getBridge().import.preview({ path: file.path, hasHeader, ...(defaultCountry ? { defaultCountry } : {}) });
        if (get().file?.path !== file.path) return;
        const firstKeyColumn = preview.columns.find((c) => isKeyType(c.detected));
        set({
          preview: ready(preview),
          keyColumn: preview.suggested?.column ?? firstKeyColumn?.index ?? preview.columns[0]?.index ?? null,
          keyType: preview.suggested?.key ?? (firstKeyColumn && isKeyType(firstKeyColumn.detected) ? firstKeyColumn.detected : 'email'),
          recordColumn: preview.recordColumn ?? null,
          countryColumn: preview.columns.find((c) => c.country)?.index ?? null,
        });
      } catch (err) {
        if (get().file?.path === file.path) set((s) => ({ preview: failed(s.preview, err) }));
      }
    },

    setKeyColumn(column) {
      const col = get().preview.data?.columns.find((c) => c.index === column);
      set({ keyColumn: column, ...(col && isKeyType(col.detected) ? { keyType: col.detected } : {}), hashLab: idle(), validation: idle(), plan: idle() });
    },
    setKeyType: (keyType) => set({ keyType, hashLab: idle(), validation: idle(), plan: idle(), tiktokAudiences: idle(), existingTiktokId: null }),

    setMultiKey(on) {
      const s = get();
      const reset = { hashLab: idle<HashLabView>(), validation: idle<ValidationView>(), plan: idle<PlanView>(), tiktokAudiences: idle<TiktokAudienceView[]>(), existingTiktokId: null };
      if (!on) {
        // The single key chosen before comes back, not whichever of the several keys was on screen last.
        const back = s.singleKey;
        set({ multiKey: false, keyChoices: [], singleKey: null, ...(back ? { keyColumn: back.column, keyType: back.key } : {}), ...reset });
        return;
      }
      if (s.multiKey) return;
      const current = s.keyColumn === null ? null : { key: s.keyType, column: s.keyColumn };
      const keyChoices = s.preview.data ? suggestChoices(s.preview.data, current) : current ? [current] : [];
      set({ multiKey: true, keyChoices, singleKey: current, ...reset });
    },

    setSlotChoice(slot, choice) {
      const s = get();
      const others = s.keyChoices.filter((c) => slotOf(c.key) !== slot);
      const keyChoices = sortBySlot(choice && slotOf(choice.key) === slot ? [...others, choice] : others);
      // The key on screen follows the edit, so the hash lab never shows a key the audience will not have.
      const showing = keyChoices.find((c) => c.key === s.keyType && c.column === s.keyColumn) ?? (choice && slotOf(choice.key) === slot ? choice : keyChoices[0]);
      set({
        keyChoices,
        ...(showing ? { keyColumn: showing.column, keyType: showing.key } : {}),
        hashLab: idle(),
        validation: idle(),
        plan: idle(),
        tiktokAudiences: idle(),
        existingTiktokId: null,
      });
    },

    addExtraColumn(key, column) {
      const s = get();
      const now = liveExtras(s, key);
      if (now.includes(column) || extraColumnRefusal(key, 1 + now.length)) return;
      set({ extraColumns: { ...s.extraColumns, [key]: [...now, column] }, hashLab: idle(), validation: idle(), plan: idle() });
    },

    removeExtraColumn(key, column) {
      const s = get();
      set({ extraColumns: { ...s.extraColumns, [key]: (s.extraColumns[key] ?? []).filter((c) => c !== column) }, hashLab: idle(), validation: idle(), plan: idle() });
    },

    async showKey(choice) {
      set({ keyColumn: choice.column, keyType: choice.key, hashLab: idle(), validation: idle(), rejectsExport: idle() });
      const step = get().step;
      if (step === 'hashlab') await get().runHashLab();
      else if (step === 'validate') await get().validate();
    },

    // Partner audiences hash phones with their '+' (E.164, TikTok's streaming API) unless the user chose otherwise.
    setCreateOptions: (patch) => set((s) => ({ createOptions: { ...s.createOptions, ...patch } })),
    setAudienceApi: (audienceApi) => set((s) => ({ audienceApi, ...(s.phonePlusChosen ? {} : { profile: { ...s.profile, phoneKeepPlus: defaultPhoneKeepPlus(audienceApi) } }) })),
    setProfile(patch) {
      set((s) => ({ profile: { ...s.profile, ...patch }, hashLab: idle(), validation: idle(), plan: idle(), ...('phoneKeepPlus' in patch ? { phonePlusChosen: true } : {}) }));
      if ('defaultCountry' in patch) void refreshUsable();
    },
    goToStep: (step) => set({ step }),

    async runHashLab() {
      const m = mapped();
      if (!m) return;
      set((s) => ({ hashLab: loading(s.hashLab), step: 'hashlab' }));
      try {
        set({ hashLab: ready(await getBridge().import.hashLab({ ...m, ...extrasRef(), limit: 10 })) });
      } catch (err) {
        set((s) => ({ hashLab: failed(s.hashLab, err) }));
      }
    },

    async tryValue(value) {
      const { keyType, profile } = get();
      set((s) => ({ tryResult: loading(s.tryResult) }));
      try {
        set({ tryResult: ready(await getBridge().import.tryValue({ key: keyType, value, profile })) });
      } catch (err) {
        set((s) => ({ tryResult: failed(s.tryResult, err) }));
      }
    },

    setRecordColumn: (recordColumn) => set({ recordColumn, validation: idle(), rejectsExport: idle() }),
    setCountryColumn(countryColumn) {
      set({ countryColumn, hashLab: idle(), validation: idle(), rejectsExport: idle(), plan: idle() });
      void refreshUsable();
    },

    async validate() {
      const m = mapped();
      if (!m) return;
      const st = get();
      // A multi-key audience matches its suppression list on its first key only (the engine's rule), so the list is
      // checked with that key, not with whichever key is on screen.
      const suppressPath = st.multiKey && st.keyChoices[0]?.key !== st.keyType ? undefined : st.suppress?.path;
      set((s) => ({ validation: loading(s.validation), importProgress: null, rejectsExport: idle(), step: 'validate' }));
      try {
        const v = await getBridge().import.validate({ ...m, ...extrasRef(), ...(suppressPath ? { suppressPath } : {}), recordColumn: recordRef() });
        set({ validation: ready(v), importProgress: null });
      } catch (err) {
        set((s) => ({ validation: failed(s.validation, err), importProgress: null }));
      }
    },

    async cancelValidate() {
      const path = get().file?.path;
      if (!path) return;
      try {
        await getBridge().import.cancel({ path });
      } catch (err) {
        set((s) => ({ validation: failed(s.validation, err) }));
      }
    },

    setImportProgress(p) {
      if (p.path === get().file?.path) set({ importProgress: p });
    },

    async exportRejects() {
      const m = mapped();
      if (!m) return;
      set((s) => ({ rejectsExport: loading(s.rejectsExport) }));
      try {
        // A multi-key audience's report holds every key's rejects (as its sync's does), not only the key on screen.
        const keys = get().multiKey ? audienceKeys() : null;
        set({ rejectsExport: ready(await getBridge().import.exportRejects({ ...m, ...extrasRef(), recordColumn: recordRef(), ...(keys && keys.length > 1 ? { keys } : {}) })) });
      } catch (err) {
        set((s) => ({ rejectsExport: failed(s.rejectsExport, err) }));
      }
    },

    async setSuppressFile(file) {
      if (!file) {
        set({ suppress: null, plan: idle() });
        return;
      }
      set({ fileBusy: true, fileError: null });
      try {
        const path = await getBridge().fileToPath(file);
        set({ suppress: { path, name: file.name }, fileBusy: false, plan: idle() });
      } catch (err) {
        set({ fileBusy: false, fileError: toShape(err) });
      }
    },

    async setDestination(connectionId, advertiserId) {
      set({ connectionId, advertiserId, existingTiktokId: null, tiktokAudiences: idle() });
      if (get().target === 'existing') await get().loadTiktokAudiences();
    },

    async loadTiktokAudiences() {
      const { advertiserId, keyType, multiKey } = get();
      if (!advertiserId) return;
      set((s) => ({ tiktokAudiences: loading(s.tiktokAudiences) }));
      try {
        // A multi-key cohort can only go into a multi-key (MULTIPLE_TYPES) audience.
        const list = multiKey
          ? (await getBridge().audiences.tiktokList({ advertiserId })).filter((a) => a.calculateType === 'MULTIPLE_TYPES')
          : await getBridge().audiences.tiktokList({ advertiserId, key: keyType });
        if (get().advertiserId === advertiserId) set({ tiktokAudiences: ready(list) });
      } catch (err) {
        set((s) => ({ tiktokAudiences: failed(s.tiktokAudiences, err) }));
      }
    },

    setTarget(target) {
      set({ target });
      if (target === 'existing' && !get().tiktokAudiences.data && !get().tiktokAudiences.loading) void get().loadTiktokAudiences();
    },
    setAudienceName: (audienceName) => set({ audienceName }),
    setExistingTiktokId(existingTiktokId) {
      // An audience Cohort Relay already syncs keeps its own schedule unless the user changes it here.
      const local = existingTiktokId === null ? undefined : get().audiences.data?.find((a) => a.tiktokAudienceId === existingTiktokId);
      set({ existingTiktokId, ...(local ? { cadence: local.cadence } : {}) });
    },
    setCadence: (cadence) => set({ cadence }),
    setSource: (source) => set({ source }),
    setFolderChoice: (folderChoice) => set({ folderChoice, plan: idle() }),

    async prepareDryRun() {
      const s = get();
      const m = mapped();
      const keys = audienceKeys();
      if (!m || !keys || !s.advertiserId) return;
      // Nothing is saved here: the plan is of the draft; "Sync now" or "Save" saves it.
      set({ plan: loading(idle()), step: 'dryrun', runError: null, pending: null });
      let pending: PendingSave;
      // An existing TikTok audience that a local mapping already syncs: this file would become its new source.
      // One saved with "Save" in this wizard is that audience from then on (a second create would clash by name).
      const local =
        s.draftAudienceId !== null
          ? s.audiences.data?.find((a) => a.id === s.draftAudienceId)
          : s.target === 'existing'
            ? s.audiences.data?.find((a) => a.tiktokAudienceId === s.existingTiktokId)
            : undefined;
      if (local) {
        const describe = (kind: 'file' | 'folder', path: string | null, pattern: string | null) => (kind === 'folder' ? `the newest ${pattern ?? '*.csv'} in ${path ?? '?'}` : (path ?? 'no file'));
        // The audience saved here keeps the source chosen here; another audience gets this file as its source.
        const to =
          s.draftAudienceId !== null && s.source.kind === 'folder'
            ? { sourcePath: s.source.folder.trim(), sourceKind: 'folder' as const, sourcePattern: s.source.pattern.trim() || '*.csv' }
            : { sourcePath: m.path, sourceKind: 'file' as const, sourcePattern: null };
        const changes = local.sourceKind !== to.sourceKind || local.sourcePath !== to.sourcePath || (to.sourceKind === 'folder' && local.sourcePattern !== to.sourcePattern);
        // "Use this file once": the audience keeps its folder, schedule and suppression list; only the next sync reads the file.
        const once = s.draftAudienceId === null && local.sourceKind === 'folder' && to.sourceKind === 'file' && s.folderChoice === 'once';
        pending = once
          ? { kind: 'update', audienceId: local.id, request: { id: local.id }, sourceChange: null, sourceOnce: m.path }
          : {
              kind: 'update',
              audienceId: local.id,
              request: { id: local.id, ...to, cadence: s.cadence, ...(s.suppress ? { suppressPath: s.suppress.path } : {}), ...headerRef() },
              sourceChange: changes
                ? { from: describe(local.sourceKind, local.sourcePath, local.sourcePattern), to: to.sourceKind === 'file' && s.file?.name ? `${s.file.name} (${m.path})` : describe(to.sourceKind, to.sourcePath, to.sourcePattern) }
                : null,
            };
      } else {
        const tiktok = s.target === 'existing' ? s.tiktokAudiences.data?.find((a) => a.audienceId === s.existingTiktokId) : undefined;
        pending = {
          kind: 'create',
          request: {
            advertiserId: s.advertiserId,
            ...(s.connectionId ? { connectionId: s.connectionId } : {}),
            name: tiktok?.name ?? s.audienceName.trim(),
            keys,
            ...(s.source.kind === 'folder'
              ? { sourcePath: s.source.folder.trim(), sourceKind: 'folder' as const, sourcePattern: s.source.pattern.trim() || '*.csv' }
              : { sourcePath: m.path, sourceKind: 'file' as const }),
            profile: m.profile,
            cadence: s.cadence,
            ...(s.suppress ? { suppressPath: s.suppress.path } : {}),
            ...headerRef(),
            // An existing audience already has its API; a new one is created through the one chosen here.
            ...(tiktok ? { existingTiktokAudienceId: tiktok.audienceId } : { api: s.audienceApi }),
          },
        };
      }
      try {
        const { sourcePath, sourceKind, sourcePattern, suppressPath, cadence } = pending.request;
        const plan = await getBridge().sync.plan(
          pending.kind === 'create'
            ? { create: pending.request }
            : pending.sourceOnce !== undefined
              ? // One sync of this file: planned as a one-off, so the audience's schedule does not ask for a kept file.
                { audienceId: pending.audienceId, draft: { sourcePath: pending.sourceOnce, sourceKind: 'file', sourcePattern: null, cadence: { kind: 'manual' } } }
              : { audienceId: pending.audienceId, draft: { sourcePath: sourcePath!, sourceKind, sourcePattern, suppressPath, cadence } },
        );
        set({ plan: ready(plan), pending });
      } catch (err) {
        set((st) => ({ plan: failed(st.plan, err) }));
      }
    },

    async saveDraft() {
      await save();
    },

    async saveWaitingForFloor() {
      const { pending } = get();
      if (pending?.kind !== 'create') return;
      set({ pending: { ...pending, request: { ...pending.request, startAtFloor: true } } });
      await save();
    },

    async discardDraft() {
      // The dry run saved nothing, so going back forgets nothing but the plan.
      set({ pending: null, plan: idle(), step: 'destination' });
    },

    async startSync() {
      if (runActive() || (!get().pending && get().draftAudienceId === null)) return;
      set({ runStarting: true, runError: null, runResult: null, runId: null, step: 'sync' });
      const pending = get().pending;
      const sourceOnce = pending?.kind === 'update' ? pending.sourceOnce : undefined;
      const id = await save();
      if (id === null) {
        set({ runStarting: false });
        return;
      }
      try {
        const { runId } = await getBridge().sync.run({ audienceId: id, ...(sourceOnce !== undefined ? { sourceOnce } : {}) });
        set({ runId, runStarting: false });
      } catch (err) {
        set({ runStarting: false, runError: toShape(err) });
      }
      void get().loadAudiences();
    },

    async confirmHeldSync() {
      const id = get().draftAudienceId;
      const held = get().runResult;
      if (id === null || held?.status !== 'held' || runActive()) return;
      // The run that first held this change names it (a repeat of the same change keeps the first run's id).
      const runId = get().audiences.data?.find((a) => a.id === id)?.hold?.runId ?? held.runId;
      set({ runStarting: true, runError: null, runResult: null, runId: null });
      try {
        const r = await getBridge().sync.confirmRemovals({ audienceId: id, runId });
        set({ runId: r.runId, runStarting: false });
      } catch (err) {
        set({ runStarting: false, runError: toShape(err), runResult: held });
      }
      void get().loadAudiences();
    },

    async cancelSync() {
      const { runId, createCancelId } = get();
      if (runId === null && createCancelId === null) return;
      try {
        await getBridge().sync.cancel(runId !== null ? { runId } : { cancelId: createCancelId! });
      } catch (err) {
        set({ runError: toShape(err) });
      }
    },

    onRunFinished(p) {
      if (p.runId === get().runId) set({ runResult: p });
    },

    resetWizard() {
      if (runActive()) return;
      // The web host removes its uploaded copies of the files this wizard is done with (#12.8).
      const done = [get().file?.path, get().suppress?.path].filter((p): p is string => Boolean(p));
      if (done.length > 0 && getBridge().host === 'web') void getBridge().import.release({ paths: done }).catch(() => undefined);
      const defaultCountry = get().settings.data?.defaultCountry ?? null;
      set({ ...initial(), profile: { ...DEFAULT_PROFILE, defaultCountry } });
    },
  };
};
