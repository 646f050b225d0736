import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeRejectsCsv } from '../../../../electron/core/cohort';
import { resolveSourceFile } from '../../../../electron/core/sync/source';
import { tmpDir } from '../../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tmpDir()));
afterEach(() => cleanup());

function touch(file: string, text: string, secondsAgo: number): void {
  fs.writeFileSync(file, text);
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, t, t);
}

describe('the newest export of a watched folder', () => {
  it('is the newest matching file', () => {
    touch(path.join(dir, 'old.csv'), 'email\na@b.co\n', 60);
    touch(path.join(dir, 'new.csv'), 'email\nc@d.co\n', 10);
    expect(resolveSourceFile({ kind: 'folder', path: dir, pattern: '*.csv' })).toBe(path.join(dir, 'new.csv'));
  });

  it('is never a rejects report written into the folder afterwards, whatever its name', async () => {
    touch(path.join(dir, 'cohort.csv'), 'email\na@b.co\n', 60);
    await writeRejectsCsv([{ row: 2, column: 'email', reason: 'INVALID_EMAIL', masked: 'b***' }], path.join(dir, 'cohort-rejects.csv'));
    await writeRejectsCsv([], path.join(dir, 'zz-latest.csv'));
    expect(resolveSourceFile({ kind: 'folder', path: dir, pattern: '*.csv' })).toBe(path.join(dir, 'cohort.csv'));
  });

  it('says no export is there when the folder holds only reports', async () => {
    await writeRejectsCsv([], path.join(dir, 'cohort-rejects.csv'));
    expect(() => resolveSourceFile({ kind: 'folder', path: dir, pattern: '*.csv' })).toThrow(/No file matching "\*\.csv"/);
  });

  it('never follows a link in the folder to a file outside it, however new (a granted folder is not a door to /etc)', () => {
    const elsewhere = fs.mkdtempSync(path.join(path.dirname(dir), 'elsewhere-'));
    try {
      touch(path.join(elsewhere, 'secret.csv'), 'root:x:0:0:root:/root:/bin/bash\n', 0);
      fs.symlinkSync(path.join(elsewhere, 'secret.csv'), path.join(dir, 'link.csv'));
      expect(() => resolveSourceFile({ kind: 'folder', path: dir, pattern: 'link.csv' })).toThrow(/"link\.csv" links to a file outside the folder, which is never read/);
      touch(path.join(dir, 'cohort.csv'), 'email\na@b.co\n', 60);
      expect(resolveSourceFile({ kind: 'folder', path: dir, pattern: '*.csv' })).toBe(path.join(dir, 'cohort.csv'));
      // A link to another file of the folder is the folder's own.
      fs.symlinkSync(path.join(dir, 'cohort.csv'), path.join(dir, 'latest.csv'));
      expect(resolveSourceFile({ kind: 'folder', path: dir, pattern: 'latest.csv' })).toBe(path.join(dir, 'latest.csv'));
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

