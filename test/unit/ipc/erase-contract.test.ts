/** The erase channels' schemas (#12.4): one person's identifiers, each with a key or none (told from the value). */
import { describe, expect, it } from 'vitest';
import { contract } from '../../../shared/ipc/contract';

describe('privacy:erasePreview / privacy:erase requests', () => {
  for (const channel of ['privacy:erasePreview', 'privacy:erase'] as const) {
    const parse = (arg: unknown) => contract[channel].request.safeParse(arg);
    it(`${channel}: takes up to four identifiers with a key or null, trimmed`, () => {
      const ok = parse({ identifiers: [{ key: 'email', value: '  a@example.com ' }, { key: null, value: '+14155550123' }] });
      expect(ok.success && ok.data.identifiers[0]!.value).toBe('a@example.com');
      expect(parse({ identifiers: [{ key: 'gaid', value: 'x' }, { key: 'idfa', value: 'y' }, { key: 'phone', value: 'z' }, { key: 'email', value: 'w' }] }).success).toBe(true);
    });
    it(`${channel}: refuses nothing to erase, too many, an unknown key, an empty value or extra fields`, () => {
      expect(parse({ identifiers: [] }).success).toBe(false);
      expect(parse({ identifiers: Array.from({ length: 5 }, () => ({ key: null, value: 'a@example.com' })) }).success).toBe(false);
      expect(parse({ identifiers: [{ key: 'name', value: 'Sam' }] }).success).toBe(false);
      expect(parse({ identifiers: [{ key: null, value: '   ' }] }).success).toBe(false);
      expect(parse({ identifiers: [{ key: null, value: 'a@example.com' }], confirm: true }).success).toBe(false);
      expect(parse(undefined).success).toBe(false);
    });
  }
});
