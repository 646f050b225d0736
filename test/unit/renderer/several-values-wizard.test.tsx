/** @vitest-environment jsdom */
/**
 * Several values per key in the import wizard (#14 §2): look-alike columns (Email 1 / Email 2) are proposed together,
 * a key takes a second or third column by hand and refuses a fourth with the reason, and the dry run and the audience
 * it saves carry every column (`extraColumns`).
 */
import { fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useApp } from '../../../renderer/src/app/store';
import type { RequestIn } from '../../../shared/ipc/contract';
import type { PreviewView, ValidationView } from '../../../shared/ipc/dto';
import { audience, connection, plan, preview } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';
import { nameNewAudience, openInWizard, toDestinationStep } from './wizard-walk';

const VALIDATION: ValidationView = { rowsRead: 3, valid: 3, rejected: 0, duplicates: 0, byReason: {}, rejectsSample: [] };

/** A CRM export with two email columns, an unrelated id, a third email-looking column and a phone. */
function twoEmails(): PreviewView {
  return preview({
    columns: [
      { index: 0, name: 'user_id', detected: null, confidence: 0 },
      { index: 1, name: 'Email 1', detected: 'email', confidence: 0.98 },
      { index: 2, name: 'Email 2', detected: 'email', confidence: 0.9 },
      { index: 3, name: 'secondary_email', detected: 'email', confidence: 0.9 },
      { index: 4, name: 'notes', detected: null, confidence: 0 },
      { index: 5, name: 'Phone', detected: 'phone', confidence: 0.95 },
    ],
    rows: [['1', 'a@example.com', 'a2@example.com', 'a3@example.com', '', '+14155550100']],
    suggested: { column: 1, key: 'email' },
  });
}

function engine() {
  return useFakeEngine({
    'connections:list': () => [connection()],
    'audiences:list': () => [],
    'import:preview': () => twoEmails(),
    'import:hashLab': () => ({ rows: [], selfTest: [] }),
    'import:validate': () => VALIDATION,
    'audiences:create': () => audience({ id: 4, state: 'never_synced', tiktokAudienceId: null }),
    'sync:plan': () => plan({ audienceId: 4 }),
    'sync:run': () => ({ runId: 7 }),
  });
}

async function open() {
  await openInWizard('crm.csv');
  await screen.findByRole('button', { name: 'Next: hash lab' });
}

const emailGroup = () => screen.getByRole('group', { name: 'Email columns' });

describe('import wizard: several columns of one key', () => {
  it('proposes the look-alike email columns together, and the dry run and the saved audience carry every column', async () => {
    const b = engine();
    await open();
    const proposal = within(emailGroup()).getByRole('note');
    expect(proposal.textContent).toMatch(/^Email 1, Email 2 and secondary_email look like the same key → Email, every value sent/);
    fireEvent.click(within(proposal).getByRole('button', { name: 'Send all as Email' }));
    expect(within(emailGroup()).getByText(/Email from Email 1, Email 2 and secondary_email: every value is sent/)).toBeTruthy();
    for (const name of ['Email 1', 'Email 2', 'secondary_email']) expect(screen.getByRole('columnheader', { name: new RegExp(`^${name}`) }).className).toContain('col-key');
    await toDestinationStep();
    expect((await screen.findByTestId('matching-on')).textContent).toBe('Matching on: Email (columns `Email 1`, `Email 2`, `secondary_email`, every value sent)');
    // Validation reads every column of the key.
    expect(b.callsTo('import:validate').at(-1)).toMatchObject({ key: 'email', column: 'Email 1', extraColumns: ['Email 2', 'secondary_email'] });
    await nameNewAudience('Spring buyers', 'manual');
    await clickWhenEnabled('Next: dry run');
    await screen.findByText('To add');
    expect(b.callsTo('sync:plan').at(-1)).toMatchObject({ create: { keys: [{ key: 'email', column: 'Email 1', extraColumns: ['Email 2', 'secondary_email'] }] } });
    await clickWhenEnabled('Sync now');
    await expect.poll(() => (b.callsTo('audiences:create').at(-1) as RequestIn<'audiences:create'> | undefined)?.keys, { timeout: 5_000 }).toEqual([{ key: 'email', column: 'Email 1', extraColumns: ['Email 2', 'secondary_email'] }]);
  });

  it('the hash lab reads every column of the key and names the empty one in a row, still showing the others', async () => {
    const row = (line: number, v: [string, string, string | null][]) => ({
      line,
      raw: v[0]![1],
      normalized: v[0]![2],
      hash: v[0]![2] && `hash-of-${v[0]![2]}`,
      passthrough: false,
      reject: v[0]![2] ? null : ('EMPTY' as const),
      values: v.map(([column, raw, normalized]) => ({ column, raw, normalized, hash: normalized && `hash-of-${normalized}`, passthrough: false, reject: normalized ? null : ('EMPTY' as const) })),
    });
    const b = useFakeEngine({
      'connections:list': () => [connection()],
      'audiences:list': () => [],
      'import:preview': () => twoEmails(),
      'import:hashLab': () => ({
        rows: [
          row(2, [['Email 1', '', null], ['Email 2', 'b2@example.com', 'b2@example.com']]),
          row(3, [['Email 1', '', null], ['Email 2', '', null]]),
        ],
        selfTest: [],
      }),
    });
    await open();
    fireEvent.click(within(within(emailGroup()).getByRole('note')).getByRole('button', { name: 'Send all as Email' }));
    await clickWhenEnabled('Next: hash lab');
    const table = await screen.findByRole('region', { name: 'Sample rows' });
    expect(b.callsTo('import:hashLab').at(-1)).toMatchObject({ key: 'email', column: 'Email 1', extraColumns: ['Email 2', 'secondary_email'] });
    const [, first, second] = within(table).getAllByRole('row');
    // Email 1 is empty in line 2, Email 2 is still sent: the row says which column is empty, and is not marked rejected.
    expect(within(first!).getByText('Email 1: empty, nothing sent')).toBeTruthy();
    expect(within(first!).getByText('hash-of-b2@example.com')).toBeTruthy();
    expect(within(first!).queryByText('Empty cell')).toBeNull();
    expect(first!.className).not.toContain('row-reject');
    expect(second!.className).toContain('row-reject');
  });

  it('adds a second and third column by hand, refuses a fourth with the reason, and removes one', async () => {
    engine();
    await open();
    const group = emailGroup();
    const add = () => within(group).getByRole('button', { name: 'Add Email column' }) as HTMLButtonElement;
    const pick = (name: string) => {
      const select = within(group).getByLabelText('Another Email column') as HTMLSelectElement;
      const option = within(select).getByRole('option', { name }) as HTMLOptionElement;
      fireEvent.change(select, { target: { value: option.value } });
    };
    expect(add().disabled).toBe(true);
    pick('notes');
    fireEvent.click(add());
    pick('Email 2');
    fireEvent.click(add());
    expect(useApp.getState().extraColumns.email).toEqual([4, 2]);
    // Three columns: a fourth is refused, and the button says why.
    expect(add().disabled).toBe(true);
    expect(within(group).getByText(/At most 3 columns per key: TikTok takes up to 3 values of one kind per person/)).toBeTruthy();
    expect((within(group).getByLabelText('Another Email column') as HTMLSelectElement).disabled).toBe(true);
    useApp.getState().addExtraColumn('email', 3);
    expect(useApp.getState().extraColumns.email).toEqual([4, 2]);
    fireEvent.click(within(group).getByRole('button', { name: 'Remove notes' }));
    expect(useApp.getState().extraColumns.email).toEqual([2]);
    expect(within(group).queryByText(/At most 3 columns per key/)).toBeNull();
    expect(add().disabled).toBe(true);
    pick('secondary_email');
    expect(add().disabled).toBe(false);
  });

  it('in a multi-key audience only the key with several columns carries them', async () => {
    const b = engine();
    await open();
    fireEvent.click(screen.getByRole('checkbox', { name: /Match on several keys/ }));
    fireEvent.change(screen.getByLabelText('Phone column'), { target: { value: '5' } });
    fireEvent.click(within(emailGroup()).getByRole('button', { name: 'Send all as Email' }));
    await toDestinationStep();
    await nameNewAudience('Spring buyers', 'manual');
    await clickWhenEnabled('Next: dry run');
    await screen.findByText('To add');
    expect(b.callsTo('sync:plan').at(-1)).toMatchObject({
      create: {
        keys: [
          { key: 'email', column: 'Email 1', extraColumns: ['Email 2', 'secondary_email'] },
          { key: 'phone', column: 'Phone' },
        ],
      },
    });
    expect((b.callsTo('sync:plan').at(-1) as { create: RequestIn<'audiences:create'> }).create.keys[1]).not.toHaveProperty('extraColumns');
  });
});
