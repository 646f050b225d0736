// @vitest-environment jsdom
/**
 * Workspaces in the window (#14 §2): the sidebar names the current workspace and switches; Settings creates,
 * renames and deletes (behind a confirmation that repeats the name and says what goes); a switch — from this
 * window or pushed by the engine (the tray) — leaves nothing of the previous workspace on screen.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/app/app';
import { useApp } from '../../../renderer/src/app/store';
import { SettingsScreen } from '../../../renderer/src/features/settings/settings-screen';
import { deleteWorkspaceText, workspaceSummary } from '../../../renderer/src/features/workspaces/workspaces-settings';
import { AppError } from '../../../shared/errors';
import type { AudienceView, ConnectionView, RunView, SettingsView } from '../../../shared/ipc/dto';
import type { WorkspacesView } from '../../../shared/ipc/workspace-dto';
import { audience, connection, run, settings } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';

interface Ws {
  id: string;
  name: string;
  audiences: AudienceView[];
  connections: ConnectionView[];
  runs: RunView[];
  settings: SettingsView;
}

/** A fake engine that keeps workspaces apart the way the contract says: every list answers for the active one. */
function workspaceEngine(initial: Ws[]) {
  const all = [...initial];
  let active = all[0]!.id;
  const cur = () => all.find((w) => w.id === active)!;
  /** A workspace's lists wait for this before they answer (a slow engine), when set. */
  const gates: Record<string, Promise<void> | undefined> = {};
  const gated = async <T,>(answer: () => T): Promise<T> => {
    const ws = active;
    const value = answer();
    await gates[ws];
    return value;
  };
  const view = (): WorkspacesView => ({
    active,
    workspaces: all.map((w) => ({ id: w.id, name: w.name, active: w.id === active, audiences: w.audiences.length, connections: w.connections.length, scheduled: w.audiences.filter((a) => !a.paused).length })),
  });
  const b = useFakeEngine({
    'settings:get': () => gated(() => cur().settings),
    'connections:list': () => gated(() => cur().connections),
    'audiences:list': () => gated(() => cur().audiences),
    'runs:list': () => gated(() => cur().runs),
    'workspaces:list': () => view(),
    'workspaces:create': ({ name }) => {
      if (all.some((w) => w.name.toLowerCase() === name.trim().toLowerCase())) throw new AppError('INVALID_ARGUMENT', 'That name is taken.');
      const w: Ws = { id: name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-'), name: name.trim(), audiences: [], connections: [], runs: [], settings: settings() };
      all.push(w);
      return view().workspaces.find((x) => x.id === w.id)!;
    },
    'workspaces:switch': ({ id }) => {
      active = id;
      const v = view();
      // The engine pushes the switch to every window, this one included.
      setTimeout(() => b.emit('workspace:switched', v), 0);
      return v;
    },
    'workspaces:rename': ({ id, name }) => {
      all.find((w) => w.id === id)!.name = name.trim();
      return view().workspaces.find((x) => x.id === id)!;
    },
    'workspaces:delete': ({ id, confirmName }) => {
      const i = all.findIndex((w) => w.id === id);
      if (all[i]!.name !== confirmName) throw new AppError('INVALID_ARGUMENT', 'The name does not match.');
      all.splice(i, 1);
      return view();
    },
  });
  return {
    b,
    view,
    gates,
    /** The tray (or another window) switched: the engine changes its active workspace and pushes the event. */
    switchElsewhere(id: string) {
      active = id;
      act(() => b.emit('workspace:switched', view()));
    },
  };
}

const agencyA = (): Ws => ({
  id: 'default',
  name: 'Agency A',
  audiences: [audience({ id: 1, name: 'Spring buyers' }), audience({ id: 2, name: 'Lapsed members', paused: true })],
  connections: [connection()],
  runs: [run({ audienceName: 'Spring buyers' })],
  settings: settings({ dataFolder: '/data/agency-a' }),
});
const clientB = (): Ws => ({
  id: 'client-b',
  name: 'Client B',
  audiences: [audience({ id: 7, name: 'B winter sale' })],
  connections: [connection({ id: 'tt-b', label: 'Client B sandbox' })],
  runs: [run({ id: 9, audienceId: 7, audienceName: 'B winter sale' })],
  settings: settings({ dataFolder: '/data/client-b' }),
});

const sidebar = () => screen.getByRole('navigation', { name: 'Main' });

describe('workspaces: the sidebar switcher', () => {
  it('names the current workspace, switches to another and shows only its audiences', async () => {
    const { b } = workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    expect(await screen.findByText('Spring buyers')).toBeTruthy();
    const current = await within(sidebar()).findByRole('button', { name: 'Workspace: Agency A' });
    await waitFor(() => expect(document.title).toBe('Agency A — Cohort Relay'));
    // Nothing to announce before a switch.
    expect(within(sidebar()).getByRole('status').textContent).toBe('');
    expect(current.getAttribute('aria-expanded')).toBe('false');

    fireEvent.click(current);
    expect(current.getAttribute('aria-expanded')).toBe('true');
    const list = within(sidebar()).getByRole('list', { name: 'Switch workspace' });
    expect(within(list).getByRole('button', { name: 'Agency A (current workspace)' }).getAttribute('aria-current')).toBe('true');
    fireEvent.click(within(list).getByRole('button', { name: 'Switch to Client B' }));

    expect(await screen.findByText('B winter sale')).toBeTruthy();
    expect(screen.queryByText('Spring buyers')).toBeNull();
    expect(screen.queryByText('Lapsed members')).toBeNull();
    expect(within(sidebar()).getByRole('button', { name: 'Workspace: Client B' })).toBeTruthy();
    expect(within(sidebar()).getByRole('status').textContent).toBe('Now working in the workspace Client B.');
    expect(b.callsTo('workspaces:switch')).toEqual([{ id: 'client-b' }]);
    expect(document.title).toBe('Client B — Cohort Relay');
    // The list closes; the new workspace's screen heading has the focus.
    expect(within(sidebar()).queryByRole('list', { name: 'Switch workspace' })).toBeNull();
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Audiences'));
  });

  it('closes with Escape and gives the focus back; "Manage workspaces…" opens Settings', async () => {
    workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    const current = await within(sidebar()).findByRole('button', { name: 'Workspace: Agency A' });
    fireEvent.click(current);
    const option = within(sidebar()).getByRole('button', { name: 'Switch to Client B' });
    option.focus();
    fireEvent.keyDown(option, { key: 'Escape' });
    expect(within(sidebar()).queryByRole('list', { name: 'Switch workspace' })).toBeNull();
    expect(document.activeElement).toBe(current);

    fireEvent.click(current);
    fireEvent.click(within(sidebar()).getByRole('button', { name: 'Manage workspaces…' }));
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeTruthy();
    expect(await screen.findByRole('group', { name: 'Workspaces' })).toBeTruthy();
  });

  it('shows no switcher when the engine has no workspaces to list', async () => {
    useFakeEngine({ 'settings:get': () => settings(), 'connections:list': () => [], 'audiences:list': () => [] });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'No audiences yet' })).toBeTruthy();
    await waitFor(() => expect(useApp.getState().workspaces.error).not.toBeNull());
    expect(within(sidebar()).queryByRole('button', { name: /^Workspace:/ })).toBeNull();
  });
});

describe('workspaces: a switch pushed by the engine (the tray, another window)', () => {
  it('reloads audiences, connections, settings and the sync log, leaving nothing of the previous workspace', async () => {
    const eng = workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    await within(sidebar()).findByRole('button', { name: 'Workspace: Agency A' });
    fireEvent.click(within(sidebar()).getByRole('button', { name: 'Sync log' }));
    expect(await screen.findByText('Spring buyers')).toBeTruthy();

    eng.switchElsewhere('client-b');
    expect(await screen.findByText('B winter sale')).toBeTruthy();
    expect(screen.queryByText('Spring buyers')).toBeNull();
    expect(within(sidebar()).getByRole('button', { name: 'Workspace: Client B' })).toBeTruthy();
    await waitFor(() => {
      const s = useApp.getState();
      expect(s.settings.data?.dataFolder).toBe('/data/client-b');
      expect(s.connections.data?.map((c) => c.id)).toEqual(['tt-b']);
      expect(s.audiences.data?.map((a) => a.id)).toEqual([7]);
    });
  });

  it("leaves an audience of the previous workspace for the list, and empties the import wizard", async () => {
    const eng = workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    await within(sidebar()).findByRole('button', { name: 'Workspace: Agency A' });
    act(() => {
      useApp.setState({ route: { name: 'audience', id: 1 }, detailId: 1, step: 'destination', file: { path: '/uploads/a.csv', name: 'a.csv' }, audienceName: 'A draft', progress: { 1: { runId: 3, audienceId: 1, phase: 'uploading', rows: 10, percent: 50 } } });
    });
    eng.switchElsewhere('client-b');
    await waitFor(() => expect(useApp.getState().workspaceShown).toBe('client-b'));
    const s = useApp.getState();
    expect(s.route).toEqual({ name: 'audiences' });
    expect(s.detailId).toBeNull();
    expect(s.step).toBe('file');
    expect(s.file).toBeNull();
    expect(s.audienceName).toBe('');
    expect(s.progress).toEqual({});
    expect(await screen.findByText('B winter sale')).toBeTruthy();
    // The web host's upload of the wizard's file is released, as the wizard's own reset does.
    expect(eng.b.callsTo('import:release')).toEqual([{ paths: ['/uploads/a.csv'] }]);
  });

  it("resets once for this window's own switch and its echo from the engine", async () => {
    workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    fireEvent.click(await within(sidebar()).findByRole('button', { name: 'Workspace: Agency A' }));
    fireEvent.click(within(sidebar()).getByRole('button', { name: 'Switch to Client B' }));
    expect(await screen.findByText('B winter sale')).toBeTruthy();
    // The echo has arrived (the fake engine pushes it right after answering) and changed nothing.
    await new Promise((r) => setTimeout(r, 50));
    expect(useApp.getState().workspaceEpoch).toBe(1);
    expect(useApp.getState().workspaceShown).toBe('client-b');
  });
});

describe('workspaces: answers that arrive after a switch', () => {
  it("drops the previous workspace's late answers: its audiences, connections, settings and runs never show in the new one", async () => {
    const eng = workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    await within(sidebar()).findByRole('button', { name: 'Workspace: Agency A' });
    fireEvent.click(within(sidebar()).getByRole('button', { name: 'Sync log' }));
    expect(await screen.findByText('Spring buyers')).toBeTruthy();
    await waitFor(() => expect(useApp.getState().settings.data?.dataFolder).toBe('/data/agency-a'));

    // Agency A's engine is slow: a refresh of everything is asked and still unanswered when the tray switches.
    let release!: () => void;
    eng.gates.default = new Promise<void>((r) => (release = r));
    const s = useApp.getState();
    const late = Promise.all([s.loadAudiences(), s.loadConnections(), s.loadSettings(), s.loadRuns()]);
    eng.switchElsewhere('client-b');
    expect(await screen.findByText('B winter sale')).toBeTruthy();
    await waitFor(() => expect(useApp.getState().settings.data?.dataFolder).toBe('/data/client-b'));

    await act(async () => {
      release();
      await late;
    });
    const after = useApp.getState();
    expect(after.audiences.data?.map((a) => a.name)).toEqual(['B winter sale']);
    expect(after.connections.data?.map((c) => c.id)).toEqual(['tt-b']);
    expect(after.settings.data?.dataFolder).toBe('/data/client-b');
    expect(after.runs.data?.map((r) => r.audienceName)).toEqual(['B winter sale']);
    expect(screen.queryByText('Spring buyers')).toBeNull();
  });
});

describe('workspaces: a background workspace', () => {
  it("ignores the end of another workspace's scheduled sync: its audience id is not one of this window's", async () => {
    const { b } = workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    expect(await screen.findByText('Spring buyers')).toBeTruthy();
    await waitFor(() => expect(b.listenerCount('run:finished')).toBe(1));
    act(() => useApp.setState({ progress: { 1: { runId: 3, audienceId: 1, phase: 'uploading', rows: 10, percent: 50 } } }));
    const lists = b.callsTo('audiences:list').length;
    act(() => b.emit('run:finished', { runId: 40, audienceId: 1, status: 'done', trigger: 'schedule', error: null, workspace: { id: 'client-b', name: 'Client B', audienceName: 'B winter sale' } }));
    await new Promise((r) => setTimeout(r, 50));
    expect(useApp.getState().progress[1]).toBeTruthy();
    expect(b.callsTo('audiences:list').length).toBe(lists);
    // The same event of this workspace ends the progress and reads the list again.
    act(() => b.emit('run:finished', { runId: 3, audienceId: 1, status: 'done', trigger: 'schedule', error: null }));
    await waitFor(() => expect(useApp.getState().progress[1]).toBeUndefined());
    await waitFor(() => expect(b.callsTo('audiences:list').length).toBeGreaterThan(lists));
  });
});

describe('workspaces: Settings', () => {
  it('lists each workspace with what it holds; creates one with a plain refusal for a taken name', async () => {
    const { b } = workspaceEngine([agencyA()]);
    render(<SettingsScreen />);
    const group = await screen.findByRole('group', { name: 'Workspaces' });
    const rows = await within(group).findByRole('list', { name: 'Workspaces' });
    expect(rows.textContent).toContain('Agency A');
    expect(rows.textContent).toContain('Current');
    expect(rows.textContent).toContain('2 audiences (1 on a schedule), 1 connection');

    const input = within(group).getByLabelText('New workspace');
    fireEvent.change(input, { target: { value: 'agency a' } });
    expect(within(group).getByText('A workspace is already called “Agency A”. Choose another name.')).toBeTruthy();
    expect((within(group).getByRole('button', { name: 'Create workspace' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(input, { target: { value: '  Client B ' } });
    await clickWhenEnabled('Create workspace');
    expect(await within(group).findByText('Created “Client B”. Switch to it to connect and add audiences.')).toBeTruthy();
    expect(b.callsTo('workspaces:create')).toEqual([{ name: 'Client B' }]);
    await waitFor(() => expect(within(group).getByRole('list', { name: 'Workspaces' }).textContent).toContain("Client B 0 audiences, 0 connections"));
    expect((input as HTMLInputElement).value).toBe('');
  });

  it('switches from its list; what was typed on the screen in the previous workspace is gone', async () => {
    const { b } = workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    fireEvent.click(within(sidebar()).getByRole('button', { name: 'Settings' }));
    // Typed, not saved: it belongs to Agency A's settings.
    fireEvent.change(await screen.findByLabelText('Default country for phones'), { target: { value: 'DE' } });
    await clickWhenEnabled('Switch to Client B');
    await waitFor(() => expect(useApp.getState().workspaceShown).toBe('client-b'));
    expect(b.callsTo('workspaces:switch')).toEqual([{ id: 'client-b' }]);
    const group = await screen.findByRole('group', { name: 'Workspaces' });
    await waitFor(() => expect(within(group).queryByRole('button', { name: 'Switch to Client B' })).toBeNull());
    expect(within(group).getByRole('button', { name: 'Switch to Agency A' })).toBeTruthy();
    await waitFor(() => expect(useApp.getState().settings.data?.dataFolder).toBe('/data/client-b'));
    expect((await screen.findByLabelText<HTMLInputElement>('Default country for phones')).value).toBe('');
  });

  it('renames a workspace', async () => {
    const { b } = workspaceEngine([agencyA(), clientB()]);
    render(<SettingsScreen />);
    await clickWhenEnabled('Rename Client B');
    const input = screen.getByLabelText('New name for “Client B”');
    fireEvent.change(input, { target: { value: 'Client B (EU)' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save name' }));
    await waitFor(() => expect(screen.getByRole('list', { name: 'Workspaces' }).textContent).toContain('Client B (EU)'));
    expect(b.callsTo('workspaces:rename')).toEqual([{ id: 'client-b', name: 'Client B (EU)' }]);
    expect(screen.queryByLabelText('New name for “Client B”')).toBeNull();
    // The keyboard focus lands on the renamed workspace's Rename button, not on the page.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Rename Client B (EU)' })));
  });

  it('deletes only after the name is typed, in a dialog that says what is removed; the current one has no Delete', async () => {
    const { b } = workspaceEngine([agencyA(), clientB()]);
    render(<SettingsScreen />);
    await screen.findByRole('button', { name: 'Delete Client B…' });
    expect(screen.queryByRole('button', { name: 'Delete Agency A…' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Delete Client B…' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete the workspace “Client B”?' });
    expect(dialog.textContent).toContain('removes from this computer its audiences (1) and their schedules (1 scheduled), its connections (1; signed out at TikTok, tokens forgotten), its settings and its sync log');
    expect(dialog.textContent).toContain('Audiences already at TikTok stay in TikTok Ads Manager.');
    const confirm = within(dialog).getByRole('button', { name: 'Delete “Client B”' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.change(within(dialog).getByLabelText('Type “Client B” to confirm'), { target: { value: 'Client' } });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(within(dialog).getByLabelText('Type “Client B” to confirm'), { target: { value: 'Client B' } });
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(b.callsTo('workspaces:delete')).toEqual([{ id: 'client-b', confirmName: 'Client B' }]);
    expect(screen.getByRole('list', { name: 'Workspaces' }).textContent).not.toContain('Client B');
    // It says so, and the focus is on those words (the button that opened the dialog is gone).
    const said = screen.getByText('Deleted the workspace “Client B”.');
    expect(said.getAttribute('role')).toBe('status');
    await waitFor(() => expect(document.activeElement).toBe(said));
  });

  it('offers no Delete for the workspace Cohort Relay started with, even when another is in use', async () => {
    const eng = workspaceEngine([agencyA(), clientB()]);
    render(<App />);
    fireEvent.click(within(sidebar()).getByRole('button', { name: 'Settings' }));
    await screen.findByRole('button', { name: 'Delete Client B…' });
    await waitFor(() => expect(eng.b.listenerCount('workspace:switched')).toBe(1));
    eng.switchElsewhere('client-b');
    expect(await screen.findByRole('button', { name: 'Switch to Agency A' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Rename Agency A' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Delete Agency A…' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete Client B…' })).toBeNull();
  });

  it('Escape cancels the delete and nothing is asked of the engine', async () => {
    const { b } = workspaceEngine([agencyA(), clientB()]);
    render(<SettingsScreen />);
    await clickWhenEnabled('Delete Client B…');
    const dialog = screen.getByRole('dialog');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(b.callsTo('workspaces:delete')).toEqual([]);
  });

  it('words: the summary counts in the singular and plural; the delete confirmation counts what goes', () => {
    expect(workspaceSummary({ audiences: 0, connections: 0, scheduled: 0 })).toBe('0 audiences, 0 connections');
    expect(workspaceSummary({ audiences: 1, connections: 2, scheduled: 1 })).toBe('1 audience (1 on a schedule), 2 connections');
    expect(deleteWorkspaceText({ name: 'X', audiences: 3, connections: 1, scheduled: 2 })).toMatch(/^Deleting the workspace “X” removes from this computer its audiences \(3\) and their schedules \(2 scheduled\), its connections \(1; /);
  });
});
