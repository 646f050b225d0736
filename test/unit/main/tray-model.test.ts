import { describe, expect, it, vi } from 'vitest';
import { buildTrayModel, formatNextSync, toMenuTemplate, TRAY_AUDIENCE_LIMIT } from '../../../electron/main/tray-model';
import type { TrayItem } from '../../../electron/main/tray-model';
import type { TrayAudience, TraySnapshot } from '../../../shared/ipc/engine-host';

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
