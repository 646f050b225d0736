/** @vitest-environment jsdom */
/**
 * Several values per key (#14 §2): the mapping and detail screens name every column of a key (`Email 1, Email 2`),
 * beside other keys or alone.
 */
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AudienceDetail } from '../../../renderer/src/features/audiences/audience-detail';
import { MappingScreen } from '../../../renderer/src/features/mapping/mapping-screen';
import type { KeyMapping } from '../../../shared/ipc/dto';
import { audience, detail } from './fake-bridge';
import { useFakeEngine } from './setup';

const KEYS: KeyMapping[] = [
  { key: 'email', column: 'Email 1', extraColumns: ['Email 2'] },
  { key: 'phone', column: 'Phone' },
];

describe('a key with several columns', () => {
  it('the mapping screen names all of a key\'s columns beside the other keys', async () => {
    useFakeEngine({ 'audiences:list': () => [audience({ keys: KEYS, calculateType: 'MULTIPLE_TYPES' })] });
    render(<MappingScreen id={1} />);
    await screen.findByText('Email + Phone (multi-key: one row per person)');
    const facts = screen.getByText('Key types').closest('dl')!;
    expect(within(facts).getByText('Email columns').nextElementSibling?.textContent).toBe('Email 1, Email 2');
    expect(within(facts).getByText('Phone column').nextElementSibling?.textContent).toBe('Phone');
  });

  it('the mapping screen of a single-key audience names its columns too', async () => {
    useFakeEngine({ 'audiences:list': () => [audience({ keys: [KEYS[0]!] })] });
    render(<MappingScreen id={1} />);
    const label = await screen.findByText('Columns');
    expect(label.nextElementSibling?.textContent).toBe('Email 1, Email 2');
  });

  it('the detail screen says which columns the keys come from', async () => {
    useFakeEngine({ 'audiences:get': () => detail({ keys: KEYS, calculateType: 'MULTIPLE_TYPES' }) });
    render(<AudienceDetail id={1} />);
    expect(await screen.findByText(/Email \+ Phone from columns/)).toBeTruthy();
    expect(screen.getByText('Email 1, Email 2')).toBeTruthy();
  });
});
