/**
 * #12.1 in the Electron host (with stand-ins for ipcMain and the save dialog): the engine's handlers behind
 * the registrar serve only paths the preload reported from a drop or picker of a trusted frame, and a rejects
 * report goes where main's save dialog says.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileGrants, withFileGrants } from '../../../electron/core/file-grants';
import { registerFileGrants, saveDialogTargets } from '../../../electron/main/file-access';
import type { ShowSaveDialog } from '../../../electron/main/file-access';
import { createDispatcher } from '../../../shared/ipc/dispatcher';
import type { InvokeEventLike, IpcMainLike, SenderFrameLike } from '../../../electron/main/registrar';
import { FILE_GIVEN_CHANNEL } from '../../../shared/ipc/channels';
import { tmpDir } from '../../helpers/tmp';
import { fakeHandlers } from '../ipc/fake-handlers';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;
function fakeIpcMain(): IpcMainLike & { handlers: Map<string, Listener> } {
  const handlers = new Map<string, Listener>();
  return { handlers, handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
}

const OWN: SenderFrameLike = { url: 'app://renderer/index.html', parent: null };
const OTHER: SenderFrameLike = { url: 'https://evil.example/', parent: null };
const trusted = (f: SenderFrameLike) => f.url === OWN.url;

let dir: string;
let cleanup: () => void;
let grants: FileGrants;
let ipc: ReturnType<typeof fakeIpcMain>;
let dialogAnswer: { canceled: boolean; filePath?: string };
let dialogAsked: string[];
let dispatch: ReturnType<typeof createDispatcher>;

beforeEach(() => {
  const t = tmpDir('cohort-relay-main-files-');
  dir = t.dir;
  cleanup = t.cleanup;
  writeFileSync(join(dir, 'dropped.csv'), 'email\na@example.com\n');
  writeFileSync(join(dir, '.bashrc'), 'secret\n');
  mkdirSync(join(dir, 'reports'));
  grants = new FileGrants();
  ipc = fakeIpcMain();
  registerFileGrants(ipc, grants, trusted);
  dialogAnswer = { canceled: true };
  dialogAsked = [];
  const showSaveDialog: ShowSaveDialog = async (o) => {
    dialogAsked.push(o.defaultPath);
    return dialogAnswer;
  };
  const handlers = fakeHandlers({
    'audiences:list': async () => [],
    'import:preview': async ({ path }) => ({ content: readFileSync(path, 'utf8') }) as never,
    'import:exportRejects': async ({ outPath }) => {
      writeFileSync(outPath!, 'row\n');
      return { outPath: outPath!, written: 1 };
    },
  });
  dispatch = createDispatcher(withFileGrants(handlers, grants, saveDialogTargets(showSaveDialog, () => join(dir, 'Downloads'))));
});

afterEach(() => cleanup());

const give = (frame: SenderFrameLike | null, path: unknown) => ipc.handlers.get(FILE_GIVEN_CHANNEL)!({ senderFrame: frame }, path);
const mapped = (path: string) => ({ path, key: 'email', column: 0, profile: { emailStripPlusAndDots: false, phoneKeepPlus: true, defaultCountry: null } });

describe('Electron main: reading files', () => {
  it('refuses a path nobody dropped or picked', async () => {
    expect(await dispatch('import:preview', { path: join(dir, '.bashrc') }, true)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  it('reads a file once the preload reported it from a trusted frame', async () => {
    expect(await give(OWN, join(dir, 'dropped.csv'))).toBe(true);
    expect(await dispatch('import:preview', { path: join(dir, 'dropped.csv') }, true)).toMatchObject({ ok: true, value: { content: 'email\na@example.com\n' } });
    // Granting one file grants nothing beside it.
    expect(await dispatch('import:preview', { path: join(dir, '.bashrc') }, true)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  it('ignores a grant from another frame, a destroyed frame, or something that is not an absolute path', async () => {
    expect(await give(OTHER, join(dir, '.bashrc'))).toBe(false);
    expect(await give(null, join(dir, '.bashrc'))).toBe(false);
    expect(await give(OWN, '.bashrc')).toBe(false);
    expect(await give(OWN, { path: join(dir, '.bashrc') })).toBe(false);
    expect(await dispatch('import:preview', { path: join(dir, '.bashrc') }, true)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });
});

describe('Electron main: writing the rejects report', () => {
  beforeEach(async () => {
    await give(OWN, join(dir, 'dropped.csv'));
  });

  it("refuses the page's outPath and writes nothing there", async () => {
    const r = await dispatch('import:exportRejects', { ...mapped(join(dir, 'dropped.csv')), outPath: join(dir, '.bashrc') }, true);
    expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(readFileSync(join(dir, '.bashrc'), 'utf8')).toBe('secret\n');
    expect(dialogAsked).toEqual([]);
  });

  it('writes where the save dialog says, suggesting <source>-rejects.csv; a cancelled dialog writes nothing', async () => {
    const r1 = await dispatch('import:exportRejects', mapped(join(dir, 'dropped.csv')), true);
    expect(r1).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(dialogAsked).toEqual([join(dir, 'Downloads', 'dropped-rejects.csv')]);
    dialogAnswer = { canceled: false, filePath: join(dir, 'reports', 'mine.csv') };
    expect(await dispatch('import:exportRejects', mapped(join(dir, 'dropped.csv')), true)).toMatchObject({ ok: true, value: { outPath: join(dir, 'reports', 'mine.csv') } });
    expect(readFileSync(join(dir, 'reports', 'mine.csv'), 'utf8')).toBe('row\n');
  });
});
