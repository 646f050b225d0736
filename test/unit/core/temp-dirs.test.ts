import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeOwnedTempDir, removeStaleTempDirs } from '../../../electron/core/temp-dirs';
import { tmpDir } from '../../helpers/tmp';

let root: string;
let cleanup: () => void;
beforeEach(() => ({ dir: root, cleanup } = tmpDir()));
afterEach(() => cleanup());

describe('owned temp folders', () => {
  it('removes the folders of processes that died and keeps those of live ones', () => {
    const mine = makeOwnedTempDir('cr-test-', root);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const stale = path.join(root, `cr-test-${dead}-abc`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'cohort.csv'), 'email\na@b.co\n');
    const other = path.join(root, 'someone-else-1-x');
    fs.mkdirSync(other);
    expect(removeStaleTempDirs('cr-test-', root)).toBe(1);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(mine)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);
  });
});
