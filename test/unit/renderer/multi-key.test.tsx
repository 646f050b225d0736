// @vitest-environment jsdom
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import { wireEvents } from '../../../renderer/src/app/engine-events';
import { keysText } from '../../../renderer/src/app/keys';
import { multiKeyProblem } from '../../../renderer/src/features/import/import-slice';
import { AudiencesScreen } from '../../../renderer/src/features/audiences/audiences-screen';
import { AudienceDetail } from '../../../renderer/src/features/audiences/audience-detail';
import { MappingScreen } from '../../../renderer/src/features/mapping/mapping-screen';
import type { HashLabView, PreviewView, TiktokAudienceView, ValidationView } from '../../../shared/ipc/dto';
import type { RequestIn } from '../../../shared/ipc/contract';
import { audience, connection, detail, plan, preview } from './fake-bridge';
import { useFakeEngine, clickWhenEnabled } from './setup';
import { openInWizard } from './wizard-walk';

const fmt = (n: number) => new Intl.NumberFormat().format(n);

/** A CRM export with an email, a phone and an IDFA per person. */
function multiPreview(over: Partial<PreviewView> = {}): PreviewView {
  return preview({
    columns: [
      { index: 0, name: 'user_id', detected: null, confidence: 0 },
      { index: 1, name: 'email', detected: 'email', confidence: 0.98 },
      { index: 2, name: 'phone', detected: 'phone', confidence: 0.95 },
      { index: 3, name: 'idfa', detected: 'idfa', confidence: 0.9 },
    ],
    rows: [['0', 'user0@example.com', '+14155550100', '5f3a2b18-9c4d-4e7f-b8e2-17d3a1e69b25']],
    suggested: { column: 1, key: 'email' },
    ...over,
  });
}

const MULTI_KEYS_MAPPED = [
  { key: 'email', column: 'email' },
  { key: 'phone', column: 'phone' },
  { key: 'idfa', column: 'idfa' },
] as const;

function lab(key: string): HashLabView {
  return { rows: [{ line: 2, raw: `raw-${key}`, normalized: `norm-${key}`, hash: 'ab'.repeat(32), passthrough: false, reject: null }], selfTest: [] };
}

function validation(valid: number): ValidationView {
  return { rowsRead: 1500, valid, rejected: 1500 - valid, duplicates: 0, byReason: valid < 1500 ? { EMPTY: 1500 - valid } : {}, rejectsSample: [] };
}

function engine(over: Parameters<typeof useFakeEngine>[0] = {}) {
  return useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'import:preview': () => multiPreview(),
    'import:hashLab': (req) => lab(req.key),
    'import:validate': (req) => validation(req.key === 'email' ? 1500 : 1200),
    'audiences:create': () => audience({ id: 5, state: 'never_synced', tiktokAudienceId: null, keys: [...MULTI_KEYS_MAPPED], calculateType: 'MULTIPLE_TYPES' }),
    'audiences:deleteLocal': () => null,
    'sync:plan': () =>
      plan({
        audienceId: 5,
        adds: 1500,
        perKey: { email: { target: 1500, adds: 1500, removes: 0 }, phone: { target: 1200, adds: 1200, removes: 0 }, maid: { target: 900, adds: 900, removes: 0 } },
      }),
    'sync:run': () => ({ runId: 11 }),
    ...over,
  });
}

async function openWizard() {
  await openInWizard('crm.csv');
  await screen.findByRole('button', { name: 'Next: hash lab' });
}

const multiBox = () => screen.getByRole('checkbox', { name: /Match on several keys/ });

describe('import wizard: several keys', () => {
  it('is offered with its trade-off when the preview detects more than one key column, and maps one column per key', async () => {
    engine();
    await openWizard();
    expect(screen.getByText(/the same cohort usually reaches more people/)).toBeTruthy();
    expect(screen.getByText(/Each row is one person/)).toBeTruthy();
    expect(screen.getByText(/keys are fixed once saved/)).toBeTruthy();
    expect(screen.getByText(/matched count is per person/)).toBeTruthy();
    expect(screen.getByLabelText('Key column')).toBeTruthy();
    fireEvent.click(multiBox());
    // The single-key pickers give way to one column per key, pre-filled from what the preview detected.
    expect(screen.queryByLabelText('Key column')).toBeNull();
    expect((screen.getByLabelText('Email column') as HTMLSelectElement).value).toBe('1');
    expect((screen.getByLabelText('Phone column') as HTMLSelectElement).value).toBe('2');
    expect((screen.getByLabelText('Mobile ad id column') as HTMLSelectElement).value).toBe('3');
    expect((screen.getByLabelText('Mobile ad id type') as HTMLSelectElement).value).toBe('idfa');
    for (const name of ['email', 'phone', 'idfa']) expect(screen.getByRole('columnheader', { name: new RegExp(`^${name}`) }).className).toContain('col-key');
    expect(screen.getByRole('columnheader', { name: /^user_id/ }).className).not.toContain('col-key');
    // IDFA and GAID share one slot: switching the type replaces the IDFA, it never adds a fourth key.
    fireEvent.change(screen.getByLabelText('Mobile ad id type'), { target: { value: 'gaid' } });
    expect(useApp.getState().keyChoices).toEqual([
      { key: 'email', column: 1 },
      { key: 'phone', column: 2 },
      { key: 'gaid', column: 3 },
    ]);
  });

  it('a suppression list is matched on the first key: validation checks it with that key only, and says so', async () => {
    const b = engine();
    await openWizard();
    fireEvent.click(multiBox());
    await useApp.getState().setSuppressFile(new File(['email\nx@example.com\n'], 'converted.csv'));
    fireEvent.click(screen.getByRole('button', { name: 'Next: hash lab' }));
    await clickWhenEnabled('Next: check the whole file');
    expect(await screen.findByText(/the list is matched on Email: a person whose Email is in it is left out/)).toBeTruthy();
    expect(b.callsTo('import:validate').at(-1)).toMatchObject({ key: 'email', suppressPath: '/uploads/converted.csv' });
    fireEvent.click(within(screen.getByRole('group', { name: 'Key shown' })).getByRole('button', { name: 'Phone · phone' }));
    await screen.findByText(/Showing Phone only/);
    expect(b.callsTo('import:validate').at(-1)).toEqual(expect.not.objectContaining({ suppressPath: expect.anything() }));
    expect(b.callsTo('import:validate').at(-1)).toMatchObject({ key: 'phone' });
  });

  it('turning several keys on and off restores the single key chosen before, and every later step says what it matches on', async () => {
    engine();
    await openWizard();
    expect((screen.getByLabelText('Key column') as HTMLSelectElement).value).toBe('1');
    fireEvent.click(multiBox());
    // Leaving the email out puts the phone on screen; turning several keys off must not keep it.
    fireEvent.change(screen.getByLabelText('Email column'), { target: { value: '' } });
    expect(useApp.getState().keyType).toBe('phone');
    fireEvent.click(multiBox());
    expect((screen.getByLabelText('Key column') as HTMLSelectElement).value).toBe('1');
    expect(useApp.getState()).toMatchObject({ keyType: 'email', keyColumn: 1, multiKey: false });
    fireEvent.click(screen.getByRole('button', { name: 'Next: hash lab' }));
    expect((await screen.findByTestId('matching-on')).textContent).toBe('Matching on: Email (column `email`)');
  });

  it('is not offered when only one column looks like a key', async () => {
    engine({ 'import:preview': () => preview() });
    await openWizard();
    expect(screen.queryByRole('checkbox', { name: /Match on several keys/ })).toBeNull();
  });

  it('needs at least two keys, each in its own column, before the hash lab', async () => {
    engine();
    await openWizard();
    fireEvent.click(multiBox());
    const next = screen.getByRole('button', { name: 'Next: hash lab' }) as HTMLButtonElement;
    fireEvent.change(screen.getByLabelText('Phone column'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Mobile ad id column'), { target: { value: '' } });
    expect(next.disabled).toBe(true);
    expect(screen.getByText(/Choose at least two keys/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Phone column'), { target: { value: '1' } });
    expect(next.disabled).toBe(true);
    expect(screen.getByText('Each key needs its own column.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Phone column'), { target: { value: '2' } });
    expect(next.disabled).toBe(false);
    expect(multiKeyProblem([{ key: 'email', column: 1 }])).toMatch(/at least two/);
  });

  it('hash lab and validation show one key at a time with a switcher; the audience is saved with every key and the chosen type; the dry run counts per key', async () => {
    const b = engine();
    await openWizard();
    fireEvent.click(multiBox());
    fireEvent.click(screen.getByRole('button', { name: 'Next: hash lab' }));
    expect(await screen.findByText('raw-email')).toBeTruthy();
    const switcher = screen.getByRole('group', { name: 'Key shown' });
    expect(within(switcher).getByRole('button', { name: 'Email · email' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(within(switcher).getByRole('button', { name: 'Phone · phone' }));
    expect(await screen.findByText('raw-phone')).toBeTruthy();
    expect(b.callsTo('import:hashLab').at(-1)).toMatchObject({ key: 'phone', column: 'phone' });

    fireEvent.click(screen.getByRole('button', { name: 'Next: check the whole file' }));
    expect(await screen.findByText(/Showing Phone only/)).toBeTruthy();
    expect(b.callsTo('import:validate').at(-1)).toMatchObject({ key: 'phone', column: 'phone' });
    fireEvent.click(within(screen.getByRole('group', { name: 'Key shown' })).getByRole('button', { name: 'IDFA (Apple) · idfa' }));
    await screen.findByText(/Showing IDFA \(Apple\) only/);
    expect(b.callsTo('import:validate').at(-1)).toMatchObject({ key: 'idfa', column: 'idfa' });

    await clickWhenEnabled('Next: choose the audience');
    expect(await screen.findByLabelText('An existing TikTok audience matched on Email + Phone + MAID (multi-key)')).toBeTruthy();
    const fileType = screen.getByLabelText('Customer-file audience') as HTMLInputElement;
    expect(fileType.checked).toBe(true);
    expect(screen.getByText(/up to 24 changes a day/)).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Partner audience (segment API)'));
    expect(screen.getByText(/allowlisted for partner audiences/)).toBeTruthy();
    expect(screen.getByText(/creates a customer-file audience instead and says so/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Next: dry run' }));

    const perKey = await screen.findByRole('region', { name: 'Counts per key' });
    const created = (b.callsTo('sync:plan')[0] as { create: RequestIn<'audiences:create'> }).create;
    expect(b.callsTo('audiences:create')).toEqual([]);
    expect(created.keys).toEqual(MULTI_KEYS_MAPPED);
    expect(created.api).toBe('segment');
    const rows = within(perKey).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual(['KeyPeople with itTo addTo remove', `Email${fmt(1500)}${fmt(1500)}0`, `Phone${fmt(1200)}${fmt(1200)}0`, 'MAID · IDFA9009000']);
  });

  it('a single-key dry run shows no per-key table, and a new audience is a customer-file audience unless chosen otherwise', async () => {
    const b = engine({ 'import:preview': () => preview(), 'sync:plan': () => plan({ audienceId: 5 }) });
    await openWizard();
    await useApp.getState().setDestination('tt-sandbox', '7000000001');
    await useApp.getState().prepareDryRun();
    expect(await screen.findByText('To add')).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Counts per key' })).toBeNull();
    expect(b.callsTo('sync:plan')[0]).toMatchObject({ create: { keys: [{ key: 'email', column: 'email' }], api: 'file' } });
  });

  it('an existing audience for several keys is chosen among TikTok\'s multi-key audiences only', async () => {
    const tiktok = (id: string, calculateType: string, key: TiktokAudienceView['key']): TiktokAudienceView => ({ audienceId: id, name: `Audience ${id}`, calculateType, key, coverNum: 2000, isValid: true, isExpiring: false, expiresAt: null, mapped: false });
    const b = engine({ 'audiences:tiktokList': () => [tiktok('1', 'EMAIL_SHA256', 'email'), tiktok('2', 'MULTIPLE_TYPES', null)] });
    await openWizard();
    fireEvent.click(multiBox());
    useApp.getState().goToStep('destination');
    fireEvent.click(await screen.findByLabelText(/An existing TikTok audience matched on/));
    const list = await screen.findByRole('list', { name: 'Existing audiences' });
    expect(within(list).getAllByRole('radio')).toHaveLength(1);
    expect(within(list).getByText('Audience 2')).toBeTruthy();
    expect(b.callsTo('audiences:tiktokList')).toEqual([{ advertiserId: '7000000001' }]);
    // An existing audience keeps its own API: the audience type is asked only for a new one.
    expect(screen.queryByLabelText('Partner audience (segment API)')).toBeNull();
  });

  it('says so when TikTok refused the partner audience and Cohort Relay made a customer-file audience instead', async () => {
    let synced = false;
    const b = engine({
      'import:preview': () => preview(),
      'audiences:create': () => audience({ id: 5, state: 'never_synced', tiktokAudienceId: null, api: 'segment' }),
      'audiences:list': () => (synced ? [audience({ id: 5, api: 'file' })] : []),
      'sync:plan': () => plan({ audienceId: 5 }),
    });
    const off = wireEvents(b);
    await openWizard();
    useApp.getState().setAudienceApi('segment');
    await useApp.getState().setDestination('tt-sandbox', '7000000001');
    await useApp.getState().prepareDryRun();
    expect(await screen.findByText(/Partner audience: no daily change cap/)).toBeTruthy();
    expect(screen.queryByRole('meter')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Sync now' }));
    await screen.findByRole('button', { name: 'Cancel sync' });
    synced = true;
    b.emit('run:finished', { runId: 11, audienceId: 5, status: 'done', trigger: 'manual', error: null });
    expect(await screen.findByText(/did not allow a partner audience for this developer app/)).toBeTruthy();
    off();
  });
});

describe('audiences with several keys or a partner API', () => {
  it('the table names each audience\'s keys and tags partner audiences, which have no daily call meter', async () => {
    useFakeEngine({
      'audiences:list': () => [
        audience(),
        audience({ id: 2, name: 'CRM all keys', keys: [{ key: 'email', column: 'email' }, { key: 'phone', column: 'phone' }, { key: 'gaid', column: 'gaid' }], calculateType: 'MULTIPLE_TYPES', api: 'segment' }),
      ],
    });
    render(<AudiencesScreen />);
    const rows = within(await screen.findByRole('grid', { name: 'Audiences' })).getAllByRole('row');
    expect(within(rows[1]!).getByText('Email')).toBeTruthy();
    expect(within(rows[1]!).queryByText('Partner')).toBeNull();
    expect(within(rows[1]!).getByRole('meter')).toBeTruthy();
    expect(within(rows[2]!).getByText('Email + Phone + MAID')).toBeTruthy();
    expect(within(rows[2]!).getByText('Partner')).toBeTruthy();
    expect(within(rows[2]!).queryByRole('meter')).toBeNull();
    expect(within(rows[2]!).getByText('No daily cap')).toBeTruthy();
  });

  it('keysText: one key by its full name, several by slot in a fixed order', () => {
    expect(keysText([{ key: 'idfa' }])).toBe('IDFA (Apple)');
    expect(keysText([{ key: 'gaid' }, { key: 'email' }])).toBe('Email + MAID');
  });

  it('the detail screen shows how many people have each key when the engine reports it', async () => {
    const keys = [...MULTI_KEYS_MAPPED];
    useFakeEngine({ 'audiences:get': () => detail({ keys, calculateType: 'MULTIPLE_TYPES', perKeySize: { email: 1500, phone: 1200, maid: 900 } }) });
    render(<AudienceDetail id={1} />);
    expect(await screen.findByRole('heading', { name: 'People per key' })).toBeTruthy();
    const stat = (label: string) => screen.getByText(label).closest('div')!.querySelector('dd')!.textContent;
    expect(stat('With Email')).toBe(fmt(1500));
    expect(stat('With Phone')).toBe(fmt(1200));
    expect(stat('With MAID · IDFA')).toBe(fmt(900));
    expect(screen.getByText(/Email \+ Phone \+ MAID from columns/)).toBeTruthy();
  });

  it('the detail screen of a single-key audience has no per-key sizes', async () => {
    useFakeEngine({ 'audiences:get': () => detail() });
    render(<AudienceDetail id={1} />);
    await screen.findByRole('heading', { name: 'Sent vs matched' });
    expect(screen.queryByRole('heading', { name: 'People per key' })).toBeNull();
  });

  it('the mapping screen shows every key and its column read-only, and the audience type', async () => {
    useFakeEngine({ 'audiences:list': () => [audience({ keys: [...MULTI_KEYS_MAPPED], calculateType: 'MULTIPLE_TYPES', api: 'segment' })] });
    render(<MappingScreen id={1} />);
    expect(await screen.findByText('Email + Phone + MAID (multi-key: one row per person)')).toBeTruthy();
    const facts = screen.getByText('Key types').closest('dl')!;
    expect(within(facts).getByText('IDFA (Apple) column').nextElementSibling?.textContent).toBe('idfa');
    expect(within(facts).getByText('Phone column').nextElementSibling?.textContent).toBe('phone');
    expect(within(facts).getByText('Partner audience (segment API)')).toBeTruthy();
    expect(facts.querySelector('select, input')).toBeNull();
    expect(screen.getByText(/TikTok fixes an audience's key type/)).toBeTruthy();
  });
});
