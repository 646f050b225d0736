import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** `n` distinct synthetic emails starting at `from`. */
export function emails(from: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `user${from + i}@example.com`);
}

/** Writes a small cohort CSV with an email column (and a noise column). */
export function writeEmailCsv(file: string, list: readonly string[]): void {
  fs.writeFileSync(file, `user_id,email\n${list.map((e, i) => `${i},${e}`).join('\n')}\n`);
}

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The set of hashes TikTok should hold for these (already normalized) emails. */
export function hashSet(list: readonly string[]): Set<string> {
  return new Set(list.map(sha256Hex));
}
