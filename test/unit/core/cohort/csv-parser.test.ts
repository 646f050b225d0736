import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, CsvSyntaxError, MAX_QUOTED_CELL_CHARS, parseCsvText } from '../../../../electron/core/cohort/csv-parser';

/** Every record of `text`, fed in pieces cut at `cuts` (sorted offsets). */
function parseInPieces(text: string, delimiter: string, cuts: number[] = []): string[][] {
  const p = new CsvParser(delimiter);
  const out: string[][] = [];
  const bounds = [0, ...cuts.filter((c) => c > 0 && c < text.length).sort((a, b) => a - b), text.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    p.feed(text.slice(bounds[i], bounds[i + 1]), i + 2 === bounds.length);
    for (let r = p.next(); r !== null; r = p.next()) out.push(r);
  }
  return out;
}

/** What Python's csv module reads from each text (a file opened with newline=''), in one python3 run. */
function pythonRecords(texts: string[], delimiter: string): string[][][] {
  const script = [
    'import csv, io, json, sys',
    'texts = json.load(sys.stdin)',
    `print(json.dumps([list(csv.reader(io.StringIO(t, newline=''), delimiter=${JSON.stringify(delimiter)})) for t in texts]))`,
  ].join('\n');
  const res = spawnSync('python3', ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as string[][][];
}

const csvChar = fc.constantFrom('a', 'b', ' ', ',', ';', '"', '"', '\n', '\r', '\r\n', '@', '.');
const csvText = fc.array(csvChar, { maxLength: 60 }).map((cs) => cs.join(''));

describe('CsvParser reads as Python\'s csv module does', () => {
  it('gives the same records as Python for any text it does not refuse, however the text is cut', () => {
    const cases = fc.sample(fc.tuple(csvText, fc.array(fc.nat({ max: 60 }), { maxLength: 4 })), { numRuns: 3000, seed: 15 });
    const texts = cases.map(([t]) => t);
    const python = pythonRecords(texts, ',');
    let compared = 0;
    cases.forEach(([text, cuts], i) => {
      let ours: string[][];
      try {
        ours = parseInPieces(text, ',');
      } catch (err) {
        expect(err).toBeInstanceOf(CsvSyntaxError);
        return;
      }
      compared++;
      expect({ text, records: ours }).toEqual({ text, records: python[i] });
      expect(parseInPieces(text, ',', cuts)).toEqual(ours);
    });
    // Most texts are compared, not refused.
    expect(compared).toBeGreaterThan(2000);
  });

  it('splits on CRLF, LF and lone CR alike, even mixed in one file, as Python does', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `user${i}@example.com,Name ${i}`);
    const text = `email,name\r\n${lines.map((l, i) => l + (i % 4 === 3 ? '\n' : i % 7 === 0 ? '\r' : '\r\n')).join('')}`;
    const ours = parseCsvText(text, ',', true);
    expect(ours).toHaveLength(5001);
    expect(ours).toEqual(pythonRecords([text], ',')[0]);
  });

  it('keeps text after a closing quote on the same line, like Python, instead of swallowing the next rows', () => {
    const text = 'email,name\na@x.io,"Ann" Lee\nb@x.io,Bob\n';
    expect(parseCsvText(text, ',', true)).toEqual([['email', 'name'], ['a@x.io', 'Ann Lee'], ['b@x.io', 'Bob']]);
  });

  it('keeps quoted line breaks, doubled quotes and delimiters inside one cell', () => {
    expect(parseCsvText('"a\r\nb","x""y",",;"\r\n', ',', true)).toEqual([['a\r\nb', 'x"y', ',;']]);
  });
});

describe('CsvParser refuses what would lose rows, naming the row', () => {
  const rows = Array.from({ length: 5000 }, (_, i) => `user${i}@example.com,Name ${i}`);

  it('a quoted cell never closed', () => {
    const broken = [...rows];
    broken[2001] = 'user2001@example.com,"Name 2001';
    const err = (() => {
      try {
        parseCsvText(`email,name\n${broken.join('\n')}\n`, ',', true);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect(err).toMatchObject({ problem: 'unclosed-quote', row: 2003 });
  });

  it('a quote left open that "closes" on a later row\'s quote', () => {
    const broken = rows.map((r) => r.replace(/Name (\d+)/, '"Name $1"'));
    broken[10] = 'user10@example.com,"Name 10';
    expect(() => parseCsvText(`email,name\n${broken.join('\n')}\n`, ',', true)).toThrow(expect.objectContaining({ problem: 'stray-quote', row: 12 }));
  });

  it('a quoted cell longer than Python\'s field limit', () => {
    const text = `email,note\na@x.io,"${'x'.repeat(MAX_QUOTED_CELL_CHARS + 1)}"\n`;
    expect(() => parseInPieces(text, ',', [1000, 70_000])).toThrow(expect.objectContaining({ problem: 'cell-too-long', row: 2 }));
  });

  it('leaves out a cut last record of a sample instead of refusing it', () => {
    expect(parseCsvText('email\na@x.io\n"b@x', ',', false)).toEqual([['email'], ['a@x.io']]);
  });
});
