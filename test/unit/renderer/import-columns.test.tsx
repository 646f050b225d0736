// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import type { ColumnView, PreviewView, ValidationView } from '../../../shared/ipc/dto';
import { connection, plan, preview } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';
import { nameNewAudience, openInWizard, toDestinationStep } from './wizard-walk';

const pct = (f: number) => new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 }).format(f);
const pct1 = (f: number) => new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(f);
const fmt = (n: number) => new Intl.NumberFormat().format(n);

const COLUMNS: ColumnView[] = [
  { index: 0, name: 'user_id', detected: null, confidence: 0, numericId: true },
  { index: 1, name: 'phone', detected: 'phone', confidence: 1, usable: 0.8 },
  { index: 2, name: 'email', detected: 'email', confidence: 0.98, usable: 0.96 },
];

function engine(over: Partial<PreviewView> = {}, validation?: ValidationView) {
  return useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'import:preview': () =>
      preview({
        columns: COLUMNS,
        rows: [['1001', '+49 151 23456789', 'a@example.com']],
        suggested: { column: 2, key: 'email' },
        proposedKeys: [
          { column: 2, key: 'email' },
          { column: 1, key: 'phone' },
        ],
        recordColumn: 0,
        ...over,
      }),
    'import:hashLab': () => ({
      rows: [{ line: 2, raw: 'a@example.com', normalized: 'a@example.com', hash: 'ab'.repeat(32), passthrough: false, reject: null }],
      changed: [{ line: 3, raw: ' Alice@Example.COM ', normalized: 'alice@example.com', hash: 'cd'.repeat(32), passthrough: false, reject: null }],
      selfTest: [],
    }),
    'import:tryValue': (req) => ({ normalized: req.value.trim().toLowerCase(), hash: 'ef'.repeat(32), passthrough: false, reject: null }),
    'import:validate': () =>
      validation ?? {
        rowsRead: 20_000,
        valid: 18_102,
        rejected: 1_898,
        duplicates: 0,
        byReason: { INVALID_EMAIL: 1_898 },
        rejectsSample: [{ line: 7, reason: 'INVALID_EMAIL', value: 'a***@example..com', record: 'U-1007' }],
        recordColumn: 'user_id',
      },
  });
}

async function open() {
  await openInWizard();
  await screen.findByRole('button', { name: 'Next: hash lab' });
}

describe('the columns step: key choice (issue #11 item 6)', () => {
  it('takes the email column when there is also a phone column, and shows each candidate with its usable share', async () => {
    engine();
    await open();
    const keyColumn = screen.getByLabelText('Key column') as HTMLSelectElement;
    expect(keyColumn.value).toBe('2');
    expect(within(keyColumn).getByRole('option', { name: `email — Email, ${pct(0.96)} usable` })).toBeTruthy();
    expect(within(keyColumn).getByRole('option', { name: `phone — Phone, ${pct(0.8)} usable` })).toBeTruthy();
    expect(within(keyColumn).getByRole('option', { name: 'user_id — numeric ids' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: new RegExp(`email.*${pct(0.96)} usable`) })).toBeTruthy();
  });

  it('proposes the keys it found and takes them all with one click', async () => {
    engine();
    await open();
    expect(screen.getByText(/Several keys found: Email \(column `email`\), Phone \(column `phone`\)/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Use these keys' }));
    await waitFor(() => expect(useApp.getState().multiKey).toBe(true));
    expect(useApp.getState().keyChoices).toEqual([
      { key: 'email', column: 2 },
      { key: 'phone', column: 1 },
    ]);
  });

  it('warns, naming the column, when an email column is mapped as phone or a numeric id as phone', async () => {
    engine();
    await open();
    expect(screen.queryByText(/looks like/)).toBeNull();
    fireEvent.change(screen.getByLabelText('Key type (TikTok matches on this)'), { target: { value: 'phone' } });
    expect(await screen.findByText('Column `email` looks like Email values, not Phone.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Key column'), { target: { value: '0' } });
    fireEvent.change(screen.getByLabelText('Key type (TikTok matches on this)'), { target: { value: 'phone' } });
    expect(await screen.findByText(/Column `user_id` looks like numeric ids \(such as an amplitude_id\), not phone numbers/)).toBeTruthy();
  });

  it('flags a device_id column mixing IDFAs and GAIDs, naming the platform column that tells them apart', async () => {
    engine({
      columns: [
        { index: 0, name: 'device_id', detected: 'idfa', confidence: 1, usable: 1, mixedPlatforms: { idfa: 60, gaid: 40 } },
        { index: 1, name: 'platform', detected: null, confidence: 0, platform: true },
      ],
      rows: [['5F3A2B18-9C4D-4E7F-B8E2-17D3A1E69B25', 'ios']],
      suggested: { column: 0, key: 'idfa' },
      proposedKeys: [],
      recordColumn: null,
    });
    await open();
    expect(screen.getByText(/Column `device_id` mixes two kinds of ad ids.*60 uppercase \(IDFAs, iOS\) and 40 lowercase \(GAIDs, Android\).*Column `platform` tells them apart/)).toBeTruthy();
  });

  it('reads phones with "country from column X", proposed from a column of country codes, and saves it with the mapping', async () => {
    const b = engine({
      columns: [
        { index: 0, name: 'mobile', detected: 'phone', confidence: 1, usable: 0 },
        { index: 1, name: 'land', detected: null, confidence: 0, country: true },
      ],
      rows: [['030 1234567', 'DE']],
      suggested: { column: 0, key: 'phone' },
      proposedKeys: [],
      recordColumn: null,
    });
    await open();
    const country = screen.getByLabelText('Country from column') as HTMLSelectElement;
    expect(country.value).toBe('1');
    expect(within(country).getByRole('option', { name: 'land — country codes' })).toBeTruthy();
    await clickWhenEnabled('Next: hash lab');
    await waitFor(() => expect(b.callsTo('import:hashLab').at(-1)).toMatchObject({ key: 'phone', column: 'mobile', countryColumn: 'land' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Back' }));
    fireEvent.change(await screen.findByLabelText('Country from column'), { target: { value: '' } });
    await clickWhenEnabled('Next: hash lab');
    await waitFor(() => expect(b.callsTo('import:hashLab')).toHaveLength(2));
    expect(b.callsTo('import:hashLab').at(-1)).not.toHaveProperty('countryColumn');
  });

  it("a phone column's usable share follows the country column: asked again with it, and without it when none is chosen", async () => {
    const b = useFakeEngine({
      'connections:list': () => [connection()],
      'audiences:list': () => [],
      'import:preview': (req) =>
        preview({
          // The engine reads each national-format number with its row's country: all usable with the column, 10 % without.
          columns: [
            { index: 0, name: 'mobile', detected: 'phone', confidence: 1, usable: req.countryColumn === null ? 0.1 : 1 },
            { index: 1, name: 'land', detected: null, confidence: 0, country: true },
          ],
          rows: [['030 1234567', 'DE']],
          suggested: { column: 0, key: 'phone' },
          proposedKeys: [],
          recordColumn: null,
        }),
    });
    await open();
    expect(screen.getAllByText(new RegExp(`Phone, ${pct(1)} usable`)).length).toBeGreaterThan(0);
    fireEvent.change(screen.getByLabelText('Country from column'), { target: { value: '' } });
    await waitFor(() => expect(b.callsTo('import:preview').at(-1)).toMatchObject({ countryColumn: null }), { timeout: 5_000 });
    expect((await screen.findAllByText(new RegExp(`Phone, ${pct(0.1)} usable`), {}, { timeout: 5_000 })).length).toBeGreaterThan(0);
    fireEvent.change(screen.getByLabelText('Country from column'), { target: { value: '1' } });
    await waitFor(() => expect(b.callsTo('import:preview').at(-1)).toMatchObject({ countryColumn: 1 }), { timeout: 5_000 });
    expect((await screen.findAllByText(new RegExp(`Phone, ${pct(1)} usable`), {}, { timeout: 5_000 })).length).toBeGreaterThan(0);
  });

  it('plans the new audience with its country column in the phone mapping', async () => {
    const b = engine({
      columns: [
        { index: 0, name: 'mobile', detected: 'phone', confidence: 1, usable: 0 },
        { index: 1, name: 'land', detected: null, confidence: 0, country: true },
      ],
      rows: [['030 1234567', 'DE']],
      suggested: { column: 0, key: 'phone' },
      proposedKeys: [],
      recordColumn: null,
    });
    b.handlers['sync:plan'] = () => plan({ audienceId: 0 });
    await open();
    await toDestinationStep();
    await nameNewAudience('DE mobiles');
    await clickWhenEnabled('Next: dry run');
    await waitFor(() => expect(b.callsTo('sync:plan')).toHaveLength(1));
    expect(b.callsTo('sync:plan')[0]).toMatchObject({ create: { keys: [{ key: 'phone', column: 'mobile', countryColumn: 'land' }] } });
  });

  it('counts the usable share again when the default country changes (national phones become usable)', async () => {
    const b = engine();
    b.handlers['import:preview'] = (req) =>
      preview({
        columns: [{ index: 0, name: 'mobile', detected: 'phone', confidence: 1, usable: req.defaultCountry === 'DE' ? 0.97 : 0 }],
        rows: [['030 1234567']],
        suggested: { column: 0, key: 'phone' },
        proposedKeys: [],
        recordColumn: null,
      });
    await open();
    const keyColumn = screen.getByLabelText('Key column');
    expect(within(keyColumn).getByRole('option', { name: `mobile — Phone, ${pct(0)} usable` })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Default country for phones without a country code'), { target: { value: 'de' } });
    expect(await within(keyColumn).findByRole('option', { name: `mobile — Phone, ${pct(0.97)} usable` })).toBeTruthy();
    expect(b.callsTo('import:preview').at(-1)).toEqual({ path: '/uploads/cohort.csv', defaultCountry: 'DE', countryColumn: null });
  });

  it('offers no country column for an email key', async () => {
    engine();
    await open();
    expect(screen.queryByLabelText('Country from column')).toBeNull();
  });

  it('says a Windows-1252 file was read as Windows-1252, not UTF-8', async () => {
    engine({ encoding: 'windows-1252' });
    await open();
    expect(screen.getByText('Read as Windows-1252 (not UTF-8)')).toBeTruthy();
  });
});

describe('the hash lab (issue #11 item 16)', () => {
  it('lists the rows normalization changes, and hashes a typed value without any other call', async () => {
    const b = engine();
    await open();
    await clickWhenEnabled('Next: hash lab');
    const changed = await screen.findByRole('region', { name: 'Rows normalization changes' });
    expect(within(changed).getByText('" Alice@Example.COM "')).toBeTruthy();
    expect(within(changed).getByText('"alice@example.com"')).toBeTruthy();
    const before = b.calls.length;
    fireEvent.change(screen.getByLabelText(/Try a value \(Email\)/), { target: { value: ' Bob@Example.COM ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Normalize and hash' }));
    expect(await screen.findByText('ef'.repeat(32))).toBeTruthy();
    expect(screen.getByText('bob@example.com')).toBeTruthy();
    expect(b.calls.slice(before)).toEqual([{ channel: 'import:tryValue', arg: { key: 'email', value: ' Bob@Example.COM ', profile: useApp.getState().profile } }]);
  });
});

describe('validation: rejects a person can fix (issue #11 item 15)', () => {
  it('says how many people will be sent, with percentages, and shows each reject with its record id', async () => {
    const b = engine();
    await open();
    await clickWhenEnabled('Next: hash lab');
    await clickWhenEnabled('Next: check the whole file');
    expect(await screen.findByText(`${fmt(18_102)} of ${fmt(20_000)} rows (${pct1(0.9051)}) will be sent; ${fmt(1_898)} rejected (${pct1(0.0949)}).`)).toBeTruthy();
    expect(b.callsTo('import:validate').at(-1)).toMatchObject({ recordColumn: 'user_id' });
    expect(screen.getByRole('columnheader', { name: 'user_id' })).toBeTruthy();
    expect(screen.getByRole('cell', { name: 'U-1007' })).toBeTruthy();
    expect(screen.getByRole('cell', { name: 'a***@example..com' })).toBeTruthy();
  });

  it('carries the column the user chose, or none', async () => {
    const b = engine();
    await open();
    const carry = screen.getByLabelText('Shown with each rejected row, to find it') as HTMLSelectElement;
    expect(carry.value).toBe('0');
    fireEvent.change(carry, { target: { value: '' } });
    await clickWhenEnabled('Next: hash lab');
    await clickWhenEnabled('Next: check the whole file');
    await waitFor(() => expect(b.callsTo('import:validate').at(-1)).toMatchObject({ recordColumn: null }));
  });

  it('counts repeated values as sent once', async () => {
    engine({}, { rowsRead: 1000, valid: 990, rejected: 10, duplicates: 90, byReason: { EMPTY: 10 }, rejectsSample: [] });
    await open();
    await clickWhenEnabled('Next: hash lab');
    await clickWhenEnabled('Next: check the whole file');
    expect(await screen.findByText(`${fmt(900)} of ${fmt(1000)} rows (${pct1(0.9)}) will be sent; ${fmt(10)} rejected (${pct1(0.01)}); ${fmt(90)} repeat an earlier row and are sent once (${pct1(0.09)}).`)).toBeTruthy();
  });
});
