import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stripControls } from '../../../electron/cli/safe-output';
import { cli } from '../../helpers/cli';
import { tmpDir } from '../../helpers/tmp';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tmpDir()));
afterEach(() => cleanup());

// ESC, BEL, CR, backspace, DEL, 8-bit CSI and a bidi override: none may reach the terminal.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function cohortWithEscapes(): string {
  // The header retitles the terminal window; the file name turns the text red.
  const file = path.join(dir, 'co\u001b[31mhort.csv');
  const rows = Array.from({ length: 400 }, (_, i) => `u${i}@example.com,${i}`);
  fs.writeFileSync(file, `e\u001b]0;pwned\u0007mail,x\n${rows.join('\n')}\n`);
  return file;
}

describe('CLI output', () => {
  it('strips terminal control characters from names read from a file, on stdout and in error messages', async () => {
    const file = cohortWithEscapes();
    const env = { COHORT_RELAY_HOME: path.join(dir, 'home') };
    const ok = await cli(['plan', '--csv', file, '--key', 'email'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Column: e?]0;pwned?mail (email)');
    const missing = await cli(['plan', '--csv', file, '--key', 'email', '--column', 'nope'], env);
    expect(missing.stderr).toContain('"e?]0;pwned?mail" (0)');
    const gone = await cli(['plan', '--csv', `${file}.missing`, '--key', 'email'], env);
    expect(gone.stderr).toContain('co?[31mhort.csv');
    for (const r of [ok, missing, gone]) {
      expect(r.stdout).not.toMatch(CONTROL);
      expect(r.stderr).not.toMatch(CONTROL);
    }
  });

  it('keeps line feeds and tabs, and every printable character', () => {
    expect(stripControls('a\tb\nc — é ✓ 漢字')).toBe('a\tb\nc — é ✓ 漢字');
    expect(stripControls('x\r\u0008\u007f\u009b2J\u202eevil')).toBe('x????2J?evil');
  });
});
