// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { coalesce, wireEvents } from '../../../renderer/src/app/engine-events';
import { AppError } from '../../../shared/errors';
import { audience, connection, detail, plan, preview, settings } from './fake-bridge';
import { useFakeEngine } from './setup';

const s = () => useApp.getState();
const csv = (name = 'cohort.csv') => new File(['user_id,email\n0,user0@example.com\n'], name, { type: 'text/csv' });

describe('import wizard: the API of a new audience', () => {
  it("a partner audience hashes phones with their '+' by default; the user's own choice in the hash lab wins", () => {
    useFakeEngine({});
    s().resetWizard();
    useApp.setState({ phonePlusChosen: false, profile: { ...s().profile, phoneKeepPlus: false } });
    s().setAudienceApi('segment');
    expect(s().profile.phoneKeepPlus).toBe(true);
    s().setAudienceApi('file');
    expect(s().profile.phoneKeepPlus).toBe(false);
    s().setProfile({ phoneKeepPlus: false });
    s().setAudienceApi('segment');
    expect(s().profile.phoneKeepPlus).toBe(false);
  });
});

describe('audiences slice', () => {
  it('loads audiences, and keeps the last list with the error when a reload fails', async () => {
    let fail = false;
    useFakeEngine({
      'audiences:list': () => {
        if (fail) throw new AppError('NETWORK', 'Cohort Relay could not reach TikTok. Check the connection.');
        return [audience()];
      },
    });
    await s().loadAudiences();
    expect(s().audiences).toMatchObject({ loading: false, error: null, data: [{ id: 1 }] });
    fail = true;
    await s().loadAudiences();
    expect(s().audiences).toMatchObject({ loading: false, data: [{ id: 1 }], error: { code: 'NETWORK', message: 'Cohort Relay could not reach TikTok. Check the connection.' } });
  });

  it('"sync now" starts a run, then re-reads the list; a refusal is kept with the audience it belongs to', async () => {
    const b = useFakeEngine({ 'sync:run': () => ({ runId: 7 }), 'audiences:list': () => [audience()] });
    expect(await s().audienceAction(1, 'sync')).toBe(true);
    expect(b.callsTo('sync:run')).toEqual([{ audienceId: 1 }]);
    expect(b.callsTo('audiences:list')).toHaveLength(1);
    b.handlers['sync:run'] = () => {
      throw new AppError('SYNC_RUNNING', 'A sync of this audience is already running.');
    };
    expect(await s().audienceAction(1, 'sync')).toBe(false);
    expect(s().audienceError).toEqual({ audienceId: 1, error: { code: 'SYNC_RUNNING', message: 'A sync of this audience is already running.', retryable: true } });
    expect(s().audienceBusy).toEqual({});
  });

  it('pause and resume update the audience; undo asks for the inverse run', async () => {
    const b = useFakeEngine({ 'audiences:update': () => audience({ paused: true }), 'sync:undo': () => ({ runId: 3 }), 'audiences:list': () => [audience()] });
    await s().audienceAction(1, 'pause');
    await s().audienceAction(1, 'resume');
    await s().audienceAction(1, 'undo');
    expect(b.callsTo('audiences:update')).toEqual([
      { id: 1, paused: true },
      { id: 1, paused: false },
    ]);
    expect(b.callsTo('sync:undo')).toEqual([{ audienceId: 1 }]);
  });
});

describe('engine events', () => {
  it('progress is kept per audience until its run finishes; the finish re-reads audiences and the open detail', async () => {
    const b = useFakeEngine({ 'audiences:list': () => [audience()], 'audiences:get': () => detail() });
    await s().loadDetail(1);
    const off = wireEvents(b);
    b.emit('run:progress', { runId: 5, audienceId: 1, phase: 'hashing', rows: 1000, percent: 40, rowsPerSec: 5000, etaSec: 3 });
    expect(s().progress[1]).toMatchObject({ phase: 'hashing', percent: 40 });
    b.emit('run:finished', { runId: 5, audienceId: 1, status: 'done', trigger: 'manual', error: null });
    expect(s().progress[1]).toBeUndefined();
    await until(() => b.callsTo('audiences:list').length === 1 && b.callsTo('audiences:get').length === 2);
    off();
  });

  it('a revoked token (connection:needsReconnect) re-reads connections and audiences', async () => {
    const b = useFakeEngine({ 'connections:list': () => [connection({ status: 'needs_reconnect', statusMessage: 'Re-connect.' })], 'audiences:list': () => [audience({ state: 'needs_reconnect' })] });
    const off = wireEvents(b);
    b.emit('connection:needsReconnect', { connectionId: 'tt-sandbox', message: 'Re-connect.' });
    await until(() => s().connections.data?.[0]?.status === 'needs_reconnect' && s().audiences.data?.[0]?.state === 'needs_reconnect');
    off();
  });

  it('an engine restart drops the progress of runs it cut short and re-reads audiences and connections', async () => {
    const b = useFakeEngine({ 'audiences:list': () => [audience()], 'connections:list': () => [connection()] });
    const off = wireEvents(b);
    b.emit('run:progress', { runId: 5, audienceId: 1, phase: 'uploading', rows: 1000, percent: 40 });
    expect(s().progress[1]).toBeDefined();
    b.emit('engine:restarted', { message: 'The engine stopped and was restarted; no sync was lost.' });
    expect(s().progress[1]).toBeUndefined();
    await until(() => b.callsTo('audiences:list').length === 1 && b.callsTo('connections:list').length === 1);
    off();
  });

  it('import progress is shown only for the file the wizard has open', async () => {
    const b = useFakeEngine({ 'import:preview': () => preview() });
    const off = wireEvents(b);
    await s().openFile(csv());
    b.emit('import:progress', { path: '/uploads/other.csv', phase: 'reading', rows: 10, percent: 1 });
    expect(s().importProgress).toBeNull();
    b.emit('import:progress', { path: '/uploads/cohort.csv', phase: 'hashing', rows: 900, percent: 60, rowsPerSec: 3000, etaSec: 1 });
    expect(s().importProgress).toMatchObject({ rows: 900, percent: 60 });
    off();
  });

  it('unsubscribes every listener it added', () => {
    const b = useFakeEngine();
    const off = wireEvents(b);
    expect(b.listenerCount('run:progress') + b.listenerCount('run:finished') + b.listenerCount('audience:statusChanged') + b.listenerCount('connection:needsReconnect') + b.listenerCount('import:progress')).toBe(5);
    off();
    expect(b.listenerCount('run:progress') + b.listenerCount('run:finished') + b.listenerCount('audience:statusChanged') + b.listenerCount('connection:needsReconnect') + b.listenerCount('import:progress')).toBe(0);
  });

  it('a burst of change events becomes one fetch in flight and one after it', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const fetch = coalesce(
      () =>
        new Promise<void>((done) => {
          calls++;
          release = done;
        }),
    );
    const first = fetch();
    void fetch();
    void fetch();
    void fetch();
    expect(calls).toBe(1);
    release();
    await until(() => calls === 2);
    release();
    await first;
    expect(calls).toBe(2);
  });
});

describe('import wizard slice', () => {
  it('opening a file hands it to the host, previews it and picks the suggested key column', async () => {
    const b = useFakeEngine({ 'import:preview': () => preview() });
    useApp.setState({ settings: { data: settings({ defaultCountry: 'DE' }), loading: false, error: null } });
    await s().openFile(csv());
    expect(b.files.map((f) => f.name)).toEqual(['cohort.csv']);
    expect(b.callsTo('import:preview')).toEqual([{ path: '/uploads/cohort.csv', defaultCountry: 'DE' }]);
    expect(s()).toMatchObject({ step: 'columns', keyColumn: 1, keyType: 'email', audienceName: 'cohort', route: { name: 'import' } });
    expect(s().profile.defaultCountry).toBe('DE');
  });

  it('an unreadable file stays on the first step with the engine\'s words', async () => {
    useFakeEngine({
      'import:preview': () => {
        throw new AppError('CSV_INVALID', 'cohort.csv is not a CSV file: it looks like a spreadsheet (XLSX). Export it as CSV (UTF-8) and drop it again.');
      },
    });
    await s().openFile(csv());
    expect(s().step).toBe('file');
    expect(s().preview.error?.message).toMatch(/looks like a spreadsheet/);
  });

  it('the dry run plans a new mapping (the header name as the column) without saving it; "Sync now" saves it', async () => {
    const b = useFakeEngine({
      'import:preview': () => preview(),
      'connections:list': () => [connection()],
      'audiences:create': () => audience({ id: 4, state: 'never_synced', tiktokAudienceId: null }),
      'audiences:list': () => [],
      'sync:plan': () => plan({ audienceId: 4 }),
    });
    await s().loadConnections();
    await s().openFile(csv());
    await s().setDestination('tt-sandbox', '7000000001');
    s().setCadence({ kind: 'weekly', weekday: 1, at: '07:30' });
    await s().prepareDryRun();
    expect(b.callsTo('audiences:create')).toEqual([]);
    expect(s()).toMatchObject({ step: 'dryrun', draftAudienceId: null, plan: { data: { adds: 1500 } } });
    const request = {
        advertiserId: '7000000001',
        connectionId: 'tt-sandbox',
        name: 'cohort',
        keys: [{ key: 'email', column: 'email' }],
        sourcePath: '/uploads/cohort.csv',
        sourceKind: 'file',
        profile: { emailStripPlusAndDots: false, phoneKeepPlus: false, defaultCountry: null },
        cadence: { kind: 'weekly', weekday: 1, at: '07:30' },
        api: 'file',
    };
    expect(b.callsTo('sync:plan')).toEqual([{ create: request }]);
    await s().startSync();
    // Named so the sync step's Cancel can end TikTok's same-name check (sync:cancel { cancelId }).
    expect(b.callsTo('audiences:create')).toEqual([{ ...request, cancelId: expect.any(String) }]);
    expect(s()).toMatchObject({ step: 'sync', draftAudienceId: 4, draftCreated: true });
  });

  it('a file for an audience Cohort Relay already syncs becomes that audience\'s new source (so only the diff is sent), saved only by "Sync now"', async () => {
    const b = useFakeEngine({
      'import:preview': () => preview(),
      'audiences:tiktokList': () => [{ audienceId: '9000000001', name: 'Spring buyers', calculateType: 'EMAIL_SHA256', key: 'email', coverNum: 1480, isValid: true, isExpiring: false, expiresAt: null, mapped: true }],
      'audiences:update': () => audience(),
      'audiences:list': () => [audience({ cadence: { kind: 'hourly' } })],
      'sync:plan': () => plan({ adds: 100, removes: 100, currentSize: 1500, projectedSize: 1500 }),
    });
    await s().loadAudiences();
    await s().openFile(csv('spring-2.csv'));
    s().setTarget('existing');
    await s().setDestination('tt-sandbox', '7000000001');
    s().setExistingTiktokId('9000000001');
    await s().prepareDryRun();
    expect(b.callsTo('audiences:create')).toEqual([]);
    expect(b.callsTo('audiences:update')).toEqual([]);
    // The audience keeps its own cadence (hourly), not the wizard's default.
    expect(b.callsTo('sync:plan')).toEqual([{ audienceId: 1, draft: { sourcePath: '/uploads/spring-2.csv', sourceKind: 'file', sourcePattern: null, cadence: { kind: 'hourly' } } }]);
    await s().startSync();
    expect(b.callsTo('audiences:update')).toEqual([{ id: 1, sourcePath: '/uploads/spring-2.csv', sourceKind: 'file', sourcePattern: null, cadence: { kind: 'hourly' } }]);
    expect(b.callsTo('audiences:tiktokList')).toEqual([{ advertiserId: '7000000001', key: 'email' }]);
    expect(s().draftCreated).toBe(false);
  });

  it('sync starts the run and its finish event lands in the wizard', async () => {
    const b = useFakeEngine({ 'sync:run': () => ({ runId: 12 }), 'audiences:list': () => [] });
    const off = wireEvents(b);
    useApp.setState({ draftAudienceId: 4 });
    await s().startSync();
    expect(s()).toMatchObject({ step: 'sync', runId: 12, runStarting: false });
    b.emit('run:finished', { runId: 11, audienceId: 9, status: 'done', trigger: 'schedule', error: null });
    expect(s().runResult).toBeNull();
    b.emit('run:finished', { runId: 12, audienceId: 4, status: 'done', trigger: 'manual', error: null });
    expect(s().runResult).toMatchObject({ runId: 12, status: 'done' });
    off();
  });

  it('a new drop while the wizard\'s sync runs is refused in words, not silently', async () => {
    const b = useFakeEngine({ 'import:preview': () => preview() });
    useApp.setState({ draftAudienceId: 4, runId: 12, runResult: null, step: 'sync' });
    await s().openFile(csv('next.csv'));
    expect(b.files).toEqual([]);
    expect(s().step).toBe('sync');
    expect(s().fileError?.code).toBe('SYNC_RUNNING');
  });
});

describe('settings slice', () => {
  it('saves one field and keeps what the engine answered', async () => {
    const b = useFakeEngine({ 'settings:set': () => settings({ theme: 'dark' }) });
    expect(await s().saveSettings({ theme: 'dark' })).toBe(true);
    expect(b.callsTo('settings:set')).toEqual([{ theme: 'dark' }]);
    expect(s().settings.data?.theme).toBe('dark');
  });
});

/** Waits (briefly) for async store work started by an event to settle. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not reached');
}
