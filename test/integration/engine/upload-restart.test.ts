/**
 * Issue #11 S1.5: after a restart no audience points at a vanished web-host upload copy. The real web host
 * and engine: a file is uploaded, an audience made from it, the host stopped (its uploads removed) and a new
 * one opened on the same data folder; and a crashed host's copy (its process gone) at engine start.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveWeb, type ServedWeb } from '../../../electron/web-host/serve';
import { WEB_UPLOAD_PREFIX } from '../../../electron/core/temp-dirs';
import { DEFAULT_PROFILE } from '../../../shared/domain';
import type { EngineHost } from '../../../shared/ipc/engine-host';
import { tmpDir } from '../../helpers/tmp';
import { uploadToWebHost as upload } from '../../helpers/web-upload';
import { startTestEngine } from './helpers';

let dir: string;
let cleanup: () => void;
let renderer: string;
const served: ServedWeb[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tmpDir('cr-upload-restart-'));
  renderer = path.join(dir, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Cohort Relay</title>');
});
afterEach(async () => {
  for (const s of served.splice(0)) await s.close().catch(() => undefined);
  cleanup();
});

const CSV = `email\n${Array.from({ length: 1200 }, (_, i) => `p${i}@example.com`).join('\n')}\n`;

async function serve(): Promise<ServedWeb> {
  const s = await serveWeb({
    dataDir: path.join(dir, 'data'),
    environment: 'offline-sandbox',
    rendererDir: renderer,
    log: new PassThrough(),
    internals: { env: { COHORT_RELAY_KEYCHAIN: 'off' }, simulator: { rateLimit: false, processingDelayMs: 0 }, statusRefreshMs: 0, tickMs: 3_600_000 },
  });
  served.push(s);
  return s;
}

async function createFrom(engine: EngineHost, file: string, name = 'Dropped buyers') {
  const conn = await engine.handlers['connections:connectSandbox'](undefined);
  return engine.handlers['audiences:create']({
    advertiserId: conn.advertisers[0]!.advertiserId,
    connectionId: conn.id,
    name,
    keys: [{ key: 'email', column: 'email' }],
    sourcePath: file,
    profile: DEFAULT_PROFILE,
    cadence: { kind: 'manual' },
  });
}

describe('an audience made from a web-host upload, after a restart (#11 S1.5)', () => {
  it('has its source cleared, names the file to pick again, and Sync now / plan say so in plain words', async () => {
    const first = await serve();
    const file = await upload(first, 'march buyers.csv', CSV);
    const a = await createFrom(first.engine, file);
    expect(a.sourcePath).toBe(file);
    await first.close();
    expect(fs.existsSync(file)).toBe(false);

    const second = await serve();
    const h = second.engine.handlers;
    const after = await h['audiences:get']({ id: a.id });
    expect(after.sourcePath).toBeNull();
    expect(after.stateMessage).toMatch(/^No source file: pick the cohort file again\./);
    expect(after.stateMessage).toContain('march buyers.csv');
    expect((await h['audiences:list'](undefined)).find((x) => x.id === a.id)?.sourcePath).toBeNull();

    const refused = { code: 'FILE_NOT_FOUND', message: expect.stringMatching(/^No source file: pick the cohort file again\. .*march buyers\.csv/) };
    await expect(h['sync:run']({ audienceId: a.id })).rejects.toMatchObject(refused);
    await expect(h['sync:plan']({ audienceId: a.id })).rejects.toMatchObject(refused);
    await expect(h['sync:run']({ audienceId: a.id })).rejects.not.toMatchObject({ message: expect.stringContaining(WEB_UPLOAD_PREFIX) });

    // Picking the file again (a folder file, not an upload) makes it syncable, and the message goes.
    const kept = path.join(dir, 'march buyers.csv');
    fs.writeFileSync(kept, CSV);
    const fixed = await h['audiences:update']({ id: a.id, sourcePath: kept });
    expect(fixed.stateMessage).toBeNull();
    const plan = await h['sync:plan']({ audienceId: a.id });
    expect(plan.adds).toBe(1200);
  });

  it('at engine start also clears a crashed host\'s copy (its process gone) that is still on disk', async () => {
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp);
    // The engine is started first: every host's start removes a dead host's upload folder (#12.8).
    const p = await startTestEngine(dir, { tmpRoot: tmp });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const copy = path.join(tmp, `${WEB_UPLOAD_PREFIX}${dead}-abc`, '1', 'cohort.csv');
    fs.mkdirSync(path.dirname(copy), { recursive: true });
    fs.writeFileSync(copy, CSV);
    const live = path.join(tmp, `${WEB_UPLOAD_PREFIX}${process.pid}-def`, '1', 'other.csv');
    fs.mkdirSync(path.dirname(live), { recursive: true });
    fs.writeFileSync(live, CSV);

    const crashed = await createFrom(p.engine, copy);
    const running = await createFrom(p.engine, live, 'Still uploading');
    await p.engine.shutdown();

    const q = await startTestEngine(dir, { tmpRoot: tmp });
    try {
      const got = await q.engine.handlers['audiences:get']({ id: crashed.id });
      expect(got.sourcePath).toBeNull();
      expect(got.stateMessage).toContain('cohort.csv');
      // The dead host's copy itself (raw identifiers) is gone; the live host's is not.
      expect(fs.existsSync(path.dirname(path.dirname(copy)))).toBe(false);
      expect(fs.existsSync(live)).toBe(true);
      // A copy of a host still running (this process) is left alone.
      expect((await q.engine.handlers['audiences:get']({ id: running.id })).sourcePath).toBe(live);
    } finally {
      await q.engine.shutdown();
    }
  });
});
