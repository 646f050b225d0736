/**
 * #13 §1/§2: the Electron main process and the web host enter core through engine/host-support but never run
 * engine work, so importing it must not load the store's or the keychain's native modules; a CLI command that asks
 * for the database or the connections loads them then.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../helpers/tmp';

const ROOT = path.resolve(__dirname, '../../../..');

describe('engine/host-support', () => {
  it('loads no native module (better-sqlite3, keytar, @napi-rs/keyring) until a host asks for the database', () => {
    const { dir, cleanup } = tmpDir('cohort-relay-host-support-');
    try {
      const script = path.join(dir, 'probe.mjs');
      fs.writeFileSync(
        script,
        `import { createRequire } from 'node:module';
const req = createRequire(import.meta.url);
const natives = () => Object.keys(req.cache).filter((k) => /better-sqlite3|keytar|napi-rs/.test(k)).length;
const hs = await import(${JSON.stringify(path.join(ROOT, 'electron/core/engine/host-support.ts'))});
const onImport = natives();
hs.resolveDataDir({ COHORT_RELAY_HOME: ${JSON.stringify(dir)} });
const afterLightCalls = natives();
await hs.inspectDatabase(${JSON.stringify(path.join(dir, 'data'))});
console.log(JSON.stringify({ onImport, afterLightCalls, afterDatabase: natives() }));
`,
      );
      const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
      const counts = JSON.parse(out.trim().split('\n').pop() as string) as { onImport: number; afterLightCalls: number; afterDatabase: number };
      expect(counts.onImport).toBe(0);
      expect(counts.afterLightCalls).toBe(0);
      expect(counts.afterDatabase).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  });
});
