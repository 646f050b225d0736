/**
 * Sync benchmark (`npm run bench:sync`, or `-- --rows 500000` for a quicker run): a 5,000,000-row cohort
 * synced end to end to the offline sandbox, which runs in its own process over real HTTP on 127.0.0.1.
 * First sync (create), then the same cohort with 5 % changed (APPEND + REMOVE). Prints wall time, calls
 * used and peak RSS of the syncing process, and PASS/FAIL for "at most 2 audience calls" per sync.
 * Generated data lives in a temp folder removed afterwards. Exits 0 unless something errors.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CohortRelayApp } from '../../electron/core/app';
import { DEFAULT_PROFILE } from '../../shared/domain';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rowsArg = process.argv.indexOf('--rows');
const ROWS = rowsArg >= 0 ? Number(process.argv[rowsArg + 1]) : 5_000_000;
const MAX_CALLS = 2;

/** Resets the kernel's peak-RSS mark (Linux), so each sync's own peak is measured; a no-op elsewhere. */
function resetPeakRss(): void {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: the peak then covers the whole process.
  }
}

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+)\s+kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

async function writeCohort(file: string, from: number, n: number): Promise<void> {
  const out = fs.createWriteStream(file);
  out.write('user_id,email\n');
  const chunk: string[] = [];
  for (let i = from; i < from + n; i++) {
    chunk.push(`${i},user${i}@example.com`);
    if (chunk.length === 100_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk.length = 0;
    }
  }
  if (chunk.length) out.write(`${chunk.join('\n')}\n`);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

async function startSandbox(): Promise<{ url: string; token: string; advertiser: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/index.ts', 'sandbox', '--port', '0', '--processing-delay', '0', '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  const info = JSON.parse(line) as { url: string; accessToken: string; advertisers: { advertiserId: string }[] };
  return { url: info.url, token: info.accessToken, advertiser: info.advertisers[0]!.advertiserId, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-relay-sync-bench-'));
  const sandbox = await startSandbox();
  try {
    const csv = path.join(dir, 'cohort.csv');
    const app = await CohortRelayApp.open({ dataDir: path.join(dir, 'data'), env: { TIKTOK_API_BASE: sandbox.url, TIKTOK_ACCESS_TOKEN: sandbox.token, COHORT_RELAY_KEYCHAIN: 'off' } });
    const rows: string[] = [];
    const peaks: number[] = [];
    const changed = Math.round(ROWS * 0.05);
    for (const [label, from] of [['first sync (create)', 0], ['5 % changed (APPEND + REMOVE)', changed]] as const) {
      await writeCohort(csv, from, ROWS);
      const a = await app.sync.ensureAudience({ advertiserId: sandbox.advertiser, connectionId: null, name: 'Bench 5M', key: 'email', column: 'email', sourcePath: csv, profile: DEFAULT_PROFILE });
      global.gc?.();
      resetPeakRss();
      const t0 = performance.now();
      const o = await app.sync.sync(a.id, 'cli');
      const s = (performance.now() - t0) / 1000;
      const peak = peakRssMb();
      peaks.push(peak);
      rows.push(`${label.padEnd(32)} ${o.status.padEnd(8)} +${o.adds.toLocaleString('en-US')} −${o.removes.toLocaleString('en-US')}  calls ${o.callsUsed}  ${s.toFixed(1)} s  peak RSS ${peak.toFixed(0)} MB  ${o.callsUsed <= MAX_CALLS && o.status === 'done' ? 'PASS' : 'FAIL'}${o.error ? `  (${o.error.message})` : ''}`);
    }
    app.close();
    console.log(`Sync benchmark, ${ROWS.toLocaleString('en-US')} rows, offline sandbox over HTTP (target: done in ≤ ${MAX_CALLS} audience calls each)`);
    for (const r of rows) console.log(`  ${r}`);
    console.log(`  peak RSS of the syncing process: ${Math.max(...peaks).toFixed(0)} MB (each sync measured on its own)`);
  } finally {
    sandbox.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
