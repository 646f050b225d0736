/** @vitest-environment jsdom */
/**
 * Mapping screen → the columns of each key (#14 §2): a saved audience's extra columns change; a change that makes the
 * next sync a full REPLACE says so and waits for a second click, a refusal is shown in its words and nothing is saved,
 * a fourth column of a key is refused with the reason, and a sync running shows why the save failed.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MappingScreen } from '../../../renderer/src/features/mapping/mapping-screen';
import { AppError } from '../../../shared/errors';
import type { RequestIn } from '../../../shared/ipc/contract';
import type { ColumnsChangeView, KeyMapping } from '../../../shared/ipc/dto';
import { audience } from './fake-bridge';
import { useFakeEngine } from './setup';

const KEYS: KeyMapping[] = [
  { key: 'email', column: 'Email 1' },
  { key: 'phone', column: 'Phone' },
];

function engine(answer: (req: RequestIn<'audiences:setColumns'>) => Omit<ColumnsChangeView, 'audience'>, keys = KEYS) {
  const a = audience({ keys, calculateType: 'MULTIPLE_TYPES' });
  return useFakeEngine({
    'audiences:list': () => [a],
    'audiences:setColumns': (req) => ({ ...answer(req), audience: a }),
  });
}

async function addEmailColumn(name: string) {
  const group = await screen.findByRole('group', { name: 'Email columns' });
  fireEvent.change(within(group).getByLabelText('Another Email column'), { target: { value: name } });
  fireEvent.click(within(group).getByRole('button', { name: 'Add Email column' }));
}

const saves = (b: ReturnType<typeof engine>) => (b.callsTo('audiences:setColumns') as RequestIn<'audiences:setColumns'>[]).filter((r) => r.save);
const TWO_EMAILS = [{ key: 'email', column: 'Email 1', extraColumns: ['Email 2'] }, { key: 'phone', column: 'Phone' }];

describe('mapping screen: columns of each key', () => {
  it('says a change that makes the next sync a full REPLACE before saving it, and saves only on the second click', async () => {
    const b = engine(() => ({ changes: true, fullReplace: true, refusal: null }));
    render(<MappingScreen id={1} />);
    await addEmailColumn('Email 2');
    expect(screen.getByRole('group', { name: 'Email columns' }).textContent).toContain('Email from Email 1, Email 2');
    fireEvent.click(screen.getByRole('button', { name: 'Save columns' }));
    expect(await screen.findByText(/the next sync replaces the whole audience at TikTok with the file \(a full REPLACE: TikTok allows one a day\)/)).toBeTruthy();
    expect(b.callsTo('audiences:setColumns')).toEqual([{ id: 1, keys: TWO_EMAILS, save: false }]);
    fireEvent.click(screen.getByRole('button', { name: 'Save; the next sync replaces the audience' }));
    await waitFor(() => expect(saves(b)).toEqual([{ id: 1, keys: TWO_EMAILS, save: true }]), { timeout: 5_000 });
  });

  it('saves at once a change that sends nothing more, and can take a column away again', async () => {
    const b = engine(() => ({ changes: true, fullReplace: false, refusal: null }), [{ key: 'email', column: 'Email 1', extraColumns: ['Email 2'] }, KEYS[1]!]);
    render(<MappingScreen id={1} />);
    const group = await screen.findByRole('group', { name: 'Email columns' });
    fireEvent.click(within(group).getByRole('button', { name: 'Remove Email 2' }));
    await addEmailColumn('Email 3');
    fireEvent.click(screen.getByRole('button', { name: 'Save columns' }));
    await waitFor(() => expect(saves(b)).toEqual([{ id: 1, keys: [{ key: 'email', column: 'Email 1', extraColumns: ['Email 3'] }, KEYS[1]], save: true }]), { timeout: 5_000 });
    expect(screen.queryByText(/full REPLACE/)).toBeNull();
  });

  it('shows a refusal in its words and saves nothing', async () => {
    const refusal = 'Audience "Spring" only loses people Cohort Relay added, and mapping Email × 2 + Phone × 1 columns changes how each person is sent. Choose "Mirror the file" for it first.';
    const b = engine(() => ({ changes: true, fullReplace: true, refusal }));
    render(<MappingScreen id={1} />);
    await addEmailColumn('Email 2');
    fireEvent.click(screen.getByRole('button', { name: 'Save columns' }));
    expect(await screen.findByText(`Not saved: ${refusal}`)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /the next sync replaces the audience/ })).toBeNull();
    expect(saves(b)).toEqual([]);
  });

  it('refuses a fourth column of a key with the reason', async () => {
    engine(() => ({ changes: false, fullReplace: false, refusal: null }), [{ key: 'email', column: 'Email 1', extraColumns: ['Email 2', 'Email 3'] }, KEYS[1]!]);
    render(<MappingScreen id={1} />);
    const group = await screen.findByRole('group', { name: 'Email columns' });
    expect((within(group).getByRole('button', { name: 'Add Email column' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(group).getByText(/At most 3 columns per key: TikTok takes up to 3 values of one kind per person/)).toBeTruthy();
    expect((within(group).getByLabelText('Another Email column') as HTMLInputElement).disabled).toBe(true);
  });

  it('says why the save failed while a sync of the audience runs', async () => {
    engine((req) => {
      if (req.save) throw new AppError('SYNC_RUNNING', 'A sync of "Spring" is running. Wait for it to finish, then save the columns.');
      return { changes: true, fullReplace: true, refusal: null };
    });
    render(<MappingScreen id={1} />);
    await addEmailColumn('Email 2');
    fireEvent.click(screen.getByRole('button', { name: 'Save columns' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Save; the next sync replaces the audience' }));
    expect(await screen.findByText(/A sync of "Spring" is running. Wait for it to finish, then save the columns./)).toBeTruthy();
  });
});
