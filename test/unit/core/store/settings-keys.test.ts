/**
 * The one settings-key registry (store/settings-keys.ts): a key, its type and its default are written once, and code
 * reads and writes settings through it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../../../electron/core/store';
import { AUDIENCE_SETTINGS, SETTINGS } from '../../../../electron/core/store/settings-keys';
import { tmpDir } from '../../../helpers/tmp';

const KEY_SHAPE = /['"`](api|quota|profile|ui|oauth|sandbox|scheduler|audience|erase|partner|advertiser)\.(?!csv['"`])[a-zA-Z]+(['"]|\.\$\{)/;
const done: (() => void)[] = [];
afterEach(() => done.splice(0).forEach((f) => f()));

function openStore(): Store {
  const { dir, cleanup } = tmpDir();
  const store = Store.open(dir);
  done.push(() => {
    store.close();
    cleanup();
  });
  return store;
}

describe('settings registry', () => {
  it('reads a setting’s default until one is written, then the written value, under the registry’s key', () => {
    const store = openStore();
    expect(store.settings.read(SETTINGS.dailyBudget)).toBe(SETTINGS.dailyBudget.fallback);
    store.settings.write(SETTINGS.dailyBudget, 12);
    expect(store.settings.read(SETTINGS.dailyBudget)).toBe(12);
    expect(store.settings.all()[SETTINGS.dailyBudget.key]).toBe(12);
    store.settings.write(AUDIENCE_SETTINGS.erasureQueue(7), ['ab']);
    expect(store.settings.read(AUDIENCE_SETTINGS.erasureQueue(7))).toEqual(['ab']);
    expect(store.settings.read(AUDIENCE_SETTINGS.erasureQueue(8))).toEqual([]);
  });

  it('gives every setting its own key', () => {
    const keys = [
      ...Object.values(SETTINGS).map((s) => s.key),
      ...Object.values(AUDIENCE_SETTINGS).map((f) => (f as (a: never, b: never) => { key: string })(1 as never, '2' as never).key),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('no engine module spells a settings key of its own: keys come from the registry', () => {
    const root = path.resolve(__dirname, '../../../../electron/core');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('settings-keys.ts')) {
          const text = fs.readFileSync(p, 'utf8');
          // A key literal in a get/set call, or a key spelled like the registry's ('scheduler.paused', `audience.x.${id}`).
          if (/settings\.(get|set)(<[^>]*>)?\(\s*['"`]/.test(text) || KEY_SHAPE.test(text)) offenders.push(path.relative(root, p));
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
