/**
 * #13 §2: the layering of STYLE.md is a lint error. Each case lints a one-line snippet with the repo's own
 * eslint.config.js, as if it were a file at the given path, and reads what `local/layering` says.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
const eslint = new ESLint({ cwd: ROOT });

/** The layering messages for `code` linted as the repo file `file`. */
async function layering(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'local/layering').map((m) => m.message);
}

const use = (spec: string) => `import { x } from '${spec}';\nexport const y = x;\n`;

describe('layering lint rule', { timeout: 60_000 }, () => {
  it('a host never imports another host', async () => {
    expect(await layering('electron/main/new-file.ts', use('../web-host/server'))).toEqual([expect.stringContaining('electron/main never imports electron/web-host')]);
    expect(await layering('electron/web-host/new-file.ts', use('../main/registrar'))).toEqual([expect.stringContaining('electron/web-host never imports electron/main')]);
    expect(await layering('electron/cli/commands/new-file.ts', use('../../preload/api'))).toEqual([expect.stringContaining('electron/cli never imports electron/preload')]);
    expect(await layering('electron/preload/new-file.ts', use('../cli/command'))).toEqual([expect.stringContaining('electron/preload never imports electron/cli')]);
  });

  it("a host enters core only through the engine's public entry", async () => {
    expect(await layering('electron/web-host/new-file.ts', use('../core/store'))).toEqual([expect.stringContaining("only through the engine's public entry")]);
    expect(await layering('electron/main/new-file.ts', use('../core/sync/scheduler'))).toEqual([expect.stringContaining("only through the engine's public entry")]);
    expect(await layering('electron/main/new-file.ts', use('../core/engine/engine-client'))).toEqual([]);
    expect(await layering('electron/cli/commands/new-file.ts', use('../../core/engine'))).toEqual([]);
    expect(await layering('electron/main/new-file.ts', use('../../shared/ipc/dispatcher'))).toEqual([]);
  });

  it('an exception holds for its own file and target only: a new reach into core is an error', async () => {
    const { layeringProblem } = (await import(pathToFileURL(path.join(ROOT, 'build/eslint-layering.js')).href)) as { layeringProblem: (from: string, to: string, exceptions?: string[]) => string | null };
    const listed = ['electron/cli/commands/plan -> electron/core/store'];
    expect(layeringProblem('electron/cli/commands/plan.ts', 'electron/core/store', listed)).toBeNull();
    expect(layeringProblem('electron/cli/commands/plan.ts', 'electron/core/cohort', listed)).toContain("only through the engine's public entry");
    expect(layeringProblem('electron/cli/commands/new-file.ts', 'electron/core/store', listed)).toContain("only through the engine's public entry");
    // The thin CLI (#13 §2): a command reaching into the store is an error with the repo's own list.
    expect(await layering('electron/cli/commands/plan.ts', use('../../core/store'))).toEqual([expect.stringContaining("only through the engine's public entry")]);
  });

  it('the renderer imports only renderer and shared', async () => {
    expect(await layering('renderer/src/app/new-file.ts', use('../../../electron/core/paths'))).toEqual([expect.stringContaining('renderer imports only renderer/ and shared/')]);
    expect(await layering('renderer/src/app/new-file.ts', use('../../../shared/domain'))).toEqual([]);
  });

  it('shared imports nothing from electron or renderer', async () => {
    expect(await layering('shared/new-file.ts', use('../electron/core/paths'))).toEqual([expect.stringContaining('shared/ is pure TS')]);
    expect(await layering('shared/ipc/new-file.ts', use('../../renderer/src/app/bridge'))).toEqual([expect.stringContaining('shared/ is pure TS')]);
  });

  it('cohort and store sit at the bottom of core', async () => {
    expect(await layering('electron/core/cohort/new-file.ts', use('../sync/planner'))).toEqual([expect.stringContaining('electron/core/cohort never imports electron/core/sync')]);
    expect(await layering('electron/core/store/new-file.ts', use('../tiktok/client'))).toEqual([expect.stringContaining('electron/core/store never imports electron/core/tiktok')]);
    expect(await layering('electron/core/store/new-file.ts', use('../engine'))).toEqual([expect.stringContaining('electron/core/store never imports electron/core/engine')]);
    expect(await layering('electron/core/sync/new-file.ts', use('../store'))).toEqual([]);
  });

  it('tiktok imports neither sync nor engine, and sync does not import engine', async () => {
    expect(await layering('electron/core/tiktok/new-file.ts', use('../sync/planner'))).toEqual([expect.stringContaining('electron/core/tiktok never imports electron/core/sync')]);
    expect(await layering('electron/core/tiktok/new-file.ts', use('../engine/views'))).toEqual([expect.stringContaining('electron/core/tiktok never imports electron/core/engine')]);
    expect(await layering('electron/core/sync/new-file.ts', use('../engine/views'))).toEqual([expect.stringContaining('electron/core/sync never imports electron/core/engine')]);
    expect(await layering('electron/core/engine/new-file.ts', use('../sync/planner'))).toEqual([]);
  });

  it('the offline sandbox imports neither sync, engine nor the TikTok client', async () => {
    expect(await layering('electron/core/sandbox/new-file.ts', use('../sync/planner'))).toEqual([expect.stringContaining('electron/core/sandbox never imports electron/core/sync')]);
    expect(await layering('electron/core/sandbox/new-file.ts', use('../engine/sandbox'))).toEqual([expect.stringContaining('electron/core/sandbox never imports electron/core/engine')]);
    expect(await layering('electron/core/sandbox/new-file.ts', use('../tiktok/oauth-redirect'))).toEqual([expect.stringContaining('electron/core/sandbox never imports electron/core/tiktok')]);
    expect(await layering('electron/core/sandbox/new-file.ts', use('../../../shared/oauth-redirect'))).toEqual([]);
    expect(await layering('electron/core/engine/new-file.ts', use('../sandbox'))).toEqual([]);
  });
});

describe('layering exceptions', () => {
  it('each listed exception is an import that still exists (a removed crossing must leave the list)', async () => {
    // Plain JS modules of the tooling, loaded by URL (they carry no types).
    const { layeringImports } = (await import(pathToFileURL(path.join(ROOT, 'build/eslint-layering.js')).href)) as { layeringImports: (from: string, source: string) => string[] };
    const config = (await import(pathToFileURL(path.join(ROOT, 'eslint.config.js')).href)) as { cliLayeringExceptions: string[]; hostLayeringExceptions: string[] };
    const listed = [...config.cliLayeringExceptions, ...config.hostLayeringExceptions];
    const stale = listed.filter((pair) => {
      const [from, to] = pair.split(' -> ') as [string, string];
      const file = ['.ts', '.tsx'].map((ext) => path.join(ROOT, from + ext)).find((f) => fs.existsSync(f));
      return !file || !layeringImports(from, fs.readFileSync(file, 'utf8')).includes(to);
    });
    expect(stale).toEqual([]);
  });
});
