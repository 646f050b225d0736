import { describe, expect, it, vi } from 'vitest';
import { buildTrayModel, formatNextSync, runTrayAction, toMenuTemplate, TRAY_AUDIENCE_LIMIT } from '../../../electron/main/tray-model';
import type { TrayItem } from '../../../electron/main/tray-model';
import type { TrayAudience, TraySnapshot } from '../../../shared/ipc/engine-host';
import type { SyncNoteView } from '../../../shared/ipc/dto';

const now = new Date('2025-03-10T12:00:00Z');
const opts = { now, locale: 'en-US', timeZone: 'UTC' };

function audience(over: Partial<TrayAudience> = {}): TrayAudience {
  return { id: 1, name: 'Spring buyers', state: 'available', running: false, paused: false, nextSync: '2025-03-10T12:40:00Z', callsLeftToday: 20, dailyBudget: 24, held: false, ...over };
}
function snapshot(over: Partial<TraySnapshot> = {}): TraySnapshot {
  return { pausedAll: false, audiences: [audience()], needsReconnect: 0, ...over };
}
const labels = (items: TrayItem[]) => items.map((i) => (i.kind === 'separator' ? '---' : i.label));
const submenu = (item: TrayItem | undefined) => {
  if (item?.kind !== 'submenu') throw new Error('not a submenu');
  return item.items;
};

describe('buildTrayModel', () => {
  it('lists each audience with its state, next sync and calls left, then the app actions', () => {
    const m = buildTrayModel(snapshot(), opts);
    expect(labels(m.items)).toEqual(['Spring buyers — Available', '---', 'Pause all syncs', 'Open Cohort Relay', 'Quit']);
    expect(labels(submenu(m.items[0]))).toEqual(['Available', 'Next sync: in 40 min', 'Calls left today: 20 of 24', '---', 'Sync now']);
    const syncNow = submenu(m.items[0])[4];
    expect(syncNow).toEqual({ kind: 'item', label: 'Sync now', enabled: true, action: { type: 'sync-now', audienceId: 1 } });
    expect(m.tooltip).toBe('Cohort Relay — 1 audience');
  });

  it('offers Resume all when paused, and says the schedule is paused', () => {
    const m = buildTrayModel(snapshot({ pausedAll: true }), opts);
    expect(m.items.find((i) => i.kind === 'item' && i.action?.type === 'resume-all')).toBeTruthy();
    expect(m.items.find((i) => i.kind === 'item' && i.action?.type === 'pause-all')).toBeUndefined();
    expect(labels(submenu(m.items[0]))[1]).toBe('Next sync: paused (all)');
    expect(m.tooltip).toBe('Cohort Relay — syncs paused');
    // A manual sync still works while the schedule is paused.
    expect(submenu(m.items[0])[4]).toMatchObject({ enabled: true });
  });

  it('disables Sync now and says why: running, re-connect needed, no calls left, expired', () => {
    const cases: [Partial<TrayAudience>, string][] = [
      [{ running: true }, 'Sync now (already syncing)'],
      [{ state: 'needs_reconnect' }, 'Sync now (re-connect first)'],
      [{ callsLeftToday: 0 }, 'Sync now (no calls left today)'],
      [{ state: 'expired' }, 'Sync now (expired at TikTok)'],
    ];
    for (const [over, label] of cases) {
      const item = submenu(buildTrayModel(snapshot({ audiences: [audience(over)] }), opts).items[0])[4];
      expect(item).toMatchObject({ label, enabled: false });
    }
  });

  it('shows a running audience as syncing in the label and the tooltip', () => {
    const m = buildTrayModel(snapshot({ audiences: [audience({ running: true })] }), opts);
    expect(labels(m.items)[0]).toBe('Spring buyers — Syncing…');
    expect(m.tooltip).toBe('Cohort Relay — 1 syncing');
  });

  it('puts a re-connect prompt first when a connection needs it', () => {
    const m = buildTrayModel(snapshot({ needsReconnect: 1, audiences: [audience({ state: 'needs_reconnect' })] }), opts);
    expect(m.items[0]).toEqual({ kind: 'item', label: 'Re-connect needed: open Cohort Relay', enabled: true, action: { type: 'open' } });
    expect(m.tooltip).toBe('Cohort Relay — needs attention');
  });

  it('says when there are no audiences, and still offers open and quit', () => {
    const m = buildTrayModel(snapshot({ audiences: [] }), opts);
    expect(labels(m.items)).toEqual(['No audiences yet', '---', 'Pause all syncs', 'Open Cohort Relay', 'Quit']);
    expect(m.items[0]).toMatchObject({ enabled: false });
  });

  it(`lists at most ${TRAY_AUDIENCE_LIMIT} audiences and points to the window for the rest`, () => {
    const many = Array.from({ length: 13 }, (_, i) => audience({ id: i + 1, name: `A${i + 1}` }));
    const m = buildTrayModel(snapshot({ audiences: many }), opts);
    expect(m.items.filter((i) => i.kind === 'submenu')).toHaveLength(TRAY_AUDIENCE_LIMIT);
    expect(m.items[TRAY_AUDIENCE_LIMIT]).toEqual({ kind: 'item', label: '3 more in Cohort Relay…', enabled: true, action: { type: 'open' } });
  });

  it('a sync held for its removals reads as needing the user, with a way to the numbers in the window', () => {
    const m = buildTrayModel(snapshot({ audiences: [audience({ held: true })] }), opts);
    expect(labels(m.items)[0]).toBe('Spring buyers — Sync held: needs you');
    expect(submenu(m.items[0])[1]).toEqual({ kind: 'item', label: 'Review the held sync…', enabled: true, action: { type: 'open' } });
    expect(m.tooltip).toBe('Cohort Relay — needs attention');
    expect(labels(submenu(buildTrayModel(snapshot(), opts).items[0]))).not.toContain('Review the held sync…');
  });

  it('formats large numbers for the locale', () => {
    const m = buildTrayModel(snapshot({ audiences: [audience({ callsLeftToday: 1200, dailyBudget: 5000 })] }), { ...opts, locale: 'de-DE' });
    expect(labels(submenu(m.items[0]))[2]).toBe('Calls left today: 1.200 of 5.000');
  });
});

describe('formatNextSync', () => {
  it('reads as minutes, hours, today, tomorrow, or a date', () => {
    expect(formatNextSync('2025-03-10T12:05:00Z', opts)).toBe('in 5 min');
    expect(formatNextSync('2025-03-10T14:10:00Z', opts)).toBe('in 2 h 10 min');
    expect(formatNextSync('2025-03-10T15:00:00Z', opts)).toBe('in 3 h');
    expect(formatNextSync('2025-03-11T06:30:00Z', opts)).toBe('tomorrow 06:30');
    expect(formatNextSync('2025-03-14T09:00:00Z', opts)).toBe('Fri, Mar 14 09:00');
    expect(formatNextSync('2025-03-10T11:00:00Z', opts)).toBe('due now');
    expect(formatNextSync('garbage', opts)).toBe('unknown');
  });
});

describe('toMenuTemplate', () => {
  it('routes clicks to the action and keeps disabled items inert', () => {
    const onAction = vi.fn();
    const tpl = toMenuTemplate(buildTrayModel(snapshot(), opts).items, onAction);
    const sub = tpl[0]!.submenu as { label?: string; enabled?: boolean; click?: () => void }[];
    expect(sub[0]).toEqual({ label: 'Available', enabled: false });
    sub[4]!.click!();
    expect(onAction).toHaveBeenCalledWith({ type: 'sync-now', audienceId: 1 });
    expect(tpl[1]).toEqual({ type: 'separator' });
    (tpl[4] as { click: () => void }).click();
    expect(onAction).toHaveBeenLastCalledWith({ type: 'quit' });
  });
});

describe('the last sync, in the audiences screen’s words (#11 item 7)', () => {
  const note = (over: Partial<SyncNoteView>): SyncNoteView => ({ kind: 'up_to_date', runId: 7, added: 0, removed: 0, addsLeft: 0, removesLeft: 0, callsUsed: 0, until: null, size: null, ...over });
  const hhmm = (iso: string) => {
    const d = new Date(iso);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  };
  const rowOf = (n: SyncNoteView, over: Partial<TrayAudience> = {}) => buildTrayModel(snapshot({ audiences: [audience({ syncNote: n, ...over })] }), opts).items[0]!;

  it('labels the audience with the state its last sync left and lists the full words under it', () => {
    const soon = '2025-03-10T12:30:00Z';
    const cases: [SyncNoteView, string, string][] = [
      [note({ kind: 'retrying', addsLeft: 100, until: soon }), `Retrying at ${hhmm(soon)}`, `TikTok is still processing; next try at ${hhmm(soon)}. Nothing sent yet; still 100 to add.`],
      [note({ kind: 'waiting_quota', addsLeft: 2500, until: soon }), `Waiting for quota until ${hhmm(soon)}`, `Waiting for quota until ${hhmm(soon)}: nothing sent yet; still 2,500 to add (0 calls spent today).`],
      [note({ kind: 'cancelled', added: 2000, addsLeft: 2000, callsUsed: 1 }), 'Cancelled after 2,000 added', 'Cancelled after 2,000 added; 2,000 to add left for the next sync (1 call spent).'],
      [note({ kind: 'partly_synced', added: 300, removesLeft: 200, callsUsed: 1 }), 'Partly synced: 300 of 500', 'Partly synced: 300 added; still 200 to remove (1 call spent). The next sync sends the rest.'],
      [note({ kind: 'waiting_cohort', size: 640 }), 'Waiting for 1,000 (has 640)', 'Waiting for 1,000 people (the file has 640): the audience is created at TikTok by the first sync that finds 1,000.'],
      [note({ kind: 'floor_blocked', size: 900 }), 'Blocked at 900 (under 1,000)', expect.stringMatching(/^Blocked under 1,000: this sync would leave 900 people/) as unknown as string],
    ];
    for (const [n, label, words] of cases) {
      const row = rowOf(n);
      expect(row.kind === 'submenu' && row.label).toBe(`Spring buyers — ${label}`);
      expect(labels(submenu(row)).slice(0, 3)).toEqual([label, words, 'Next sync: in 40 min']);
      expect(submenu(row)[1]).toMatchObject({ enabled: false });
    }
  });

  it('says nothing extra for "up to date", and a running sync, a held sync or an error outrank the note', () => {
    expect(labels(submenu(rowOf(note({ kind: 'up_to_date' }))))[0]).toBe('Available');
    expect(submenu(rowOf(note({ kind: 'up_to_date' })))).toHaveLength(5);
    expect(labels(submenu(rowOf(note({ kind: 'cancelled', added: 5 }), { running: true })))[0]).toBe('Syncing…');
    expect(labels(submenu(rowOf(note({ kind: 'cancelled', added: 5 }), { running: true })))).toHaveLength(5);
    expect(labels(submenu(rowOf(note({ kind: 'cancelled', added: 5 }), { held: true })))[0]).toBe('Sync held: needs you');
    expect(labels(submenu(rowOf(note({ kind: 'partly_synced', added: 5, addsLeft: 5 }), { state: 'error' })))[0]).toBe('Error');
  });
});

describe('workspaces (#14 §2)', () => {
  const two = [
    { id: 'default', name: 'Agency A', active: false },
    { id: 'client-b', name: 'Client B', active: true },
  ];

  it('puts a "Workspace" submenu first: every workspace, the active one checked, the others switch', () => {
    const m = buildTrayModel(snapshot({ workspaces: two }), opts);
    expect(labels(m.items)).toEqual(['Workspace: Client B', '---', 'Spring buyers — Available', '---', 'Pause all syncs', 'Open Cohort Relay', 'Quit']);
    expect(submenu(m.items[0])).toEqual([
      { kind: 'item', label: 'Agency A', enabled: true, checked: false, action: { type: 'switch-workspace', workspaceId: 'default' } },
      { kind: 'item', label: 'Client B', enabled: true, checked: true },
    ]);
    expect(m.tooltip).toBe('Cohort Relay — Client B — 1 audience');
  });

  it('shows no switcher with one workspace, or from an engine that lists none', () => {
    for (const workspaces of [undefined, [{ id: 'default', name: 'Default', active: true }]]) {
      const m = buildTrayModel(snapshot({ workspaces }), opts);
      expect(labels(m.items)[0]).toBe('Spring buyers — Available');
      expect(m.tooltip).toBe('Cohort Relay — 1 audience');
    }
  });

  it('becomes radio items in the menu; a click on another workspace dispatches its switch', () => {
    const onAction = vi.fn();
    const tpl = toMenuTemplate(buildTrayModel(snapshot({ workspaces: two }), opts).items, onAction);
    expect(tpl[0]!.label).toBe('Workspace: Client B');
    const sub = tpl[0]!.submenu as { type?: string; checked?: boolean; label?: string; click?: () => void }[];
    expect(sub.map((i) => [i.type, i.label, i.checked])).toEqual([
      ['radio', 'Agency A', false],
      ['radio', 'Client B', true],
    ]);
    expect(sub[1]!.click).toBeUndefined();
    sub[0]!.click!();
    expect(onAction).toHaveBeenCalledWith({ type: 'switch-workspace', workspaceId: 'default' });
    // Items that are not workspaces stay plain items.
    expect((tpl[2]!.submenu as { type?: string }[])[0]!.type).toBeUndefined();
  });
});

describe('runTrayAction', () => {
  function deps() {
    const calls: [string, unknown][] = [];
    const handler = (name: string) => async (req: unknown) => {
      calls.push([name, req]);
      return undefined as never;
    };
    return {
      calls,
      showWindow: vi.fn(),
      quit: vi.fn(),
      handlers: { 'sync:run': handler('sync:run'), 'sync:pauseAll': handler('sync:pauseAll'), 'workspaces:switch': handler('workspaces:switch') },
    };
  }

  it('switches the workspace through the engine, as the window would', async () => {
    const d = deps();
    await runTrayAction({ type: 'switch-workspace', workspaceId: 'client-b' }, d);
    expect(d.calls).toEqual([['workspaces:switch', { id: 'client-b' }]]);
    expect(d.showWindow).not.toHaveBeenCalled();
  });

  it('runs a sync, pauses or resumes all, opens the window, quits', async () => {
    const d = deps();
    await runTrayAction({ type: 'sync-now', audienceId: 4 }, d);
    await runTrayAction({ type: 'pause-all' }, d);
    await runTrayAction({ type: 'resume-all' }, d);
    await runTrayAction({ type: 'open' }, d);
    await runTrayAction({ type: 'quit' }, d);
    expect(d.calls).toEqual([
      ['sync:run', { audienceId: 4 }],
      ['sync:pauseAll', { paused: true }],
      ['sync:pauseAll', { paused: false }],
    ]);
    expect(d.showWindow).toHaveBeenCalledTimes(1);
    expect(d.quit).toHaveBeenCalledTimes(1);
  });

  it("passes the engine's refusal on", async () => {
    const d = deps();
    d.handlers['workspaces:switch'] = async () => {
      throw new Error('No workspace is called that any more.');
    };
    await expect(runTrayAction({ type: 'switch-workspace', workspaceId: 'gone' }, d)).rejects.toThrow('No workspace is called that any more.');
  });
});
