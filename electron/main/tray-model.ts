/**
 * The tray menu as data: a pure function from the engine's state to labels, enabled flags and actions.
 * index.ts turns the model into an Electron Menu; tests read the model directly.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { TrayAudience, TraySnapshot, TrayWorkspace } from '../../shared/ipc/engine-host';
import type { Handlers } from '../../shared/ipc/contract';
import { AUDIENCE_STATE_LABELS } from '../../shared/ipc/dto';
import { syncNoteLabel, syncNoteText } from '../../shared/sync-note-text';

export type TrayAction =
  | { type: 'sync-now'; audienceId: number }
  | { type: 'pause-all' }
  | { type: 'resume-all' }
  | { type: 'switch-workspace'; workspaceId: string }
  | { type: 'open' }
  | { type: 'quit' };

export type TrayItem =
  /** `checked` makes it one of a group of radio items (the workspaces: the active one checked). */
  | { kind: 'item'; label: string; enabled: boolean; action?: TrayAction; checked?: boolean }
  | { kind: 'separator' }
  | { kind: 'submenu'; label: string; items: TrayItem[] };

export interface TrayModel {
  tooltip: string;
  items: TrayItem[];
}

export interface TrayModelOptions {
  now: Date;
  /** Locale for numbers and times; fixed in tests. */
  locale?: string;
  /** Time zone for "next sync" clock times; fixed in tests. */
  timeZone?: string;
}

/** At most this many audiences are listed; the rest are summarized (the window has the full table). */
export const TRAY_AUDIENCE_LIMIT = 10;

/** "in 5 min", "in 2 h 10 min", "tomorrow 09:00", "Mon 09:00", or "due now" for a slot already passed. */
export function formatNextSync(iso: string, opts: TrayModelOptions): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return 'unknown';
  const minutes = Math.round((at.getTime() - opts.now.getTime()) / 60_000);
  if (minutes <= 0) return 'due now';
  if (minutes < 60) return `in ${minutes} min`;
  if (minutes < 12 * 60) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return m ? `in ${h} h ${m} min` : `in ${h} h`;
  }
  const tz = opts.timeZone ? { timeZone: opts.timeZone } : {};
  const time = at.toLocaleTimeString(opts.locale ?? 'en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...tz });
  const dayKey = (d: Date) => d.toLocaleDateString('en-CA', tz);
  const tomorrow = new Date(opts.now.getTime() + 86_400_000);
  if (dayKey(at) === dayKey(opts.now)) return `today ${time}`;
  if (dayKey(at) === dayKey(tomorrow)) return `tomorrow ${time}`;
  const day = at.toLocaleDateString(opts.locale ?? 'en-US', { weekday: 'short', month: 'short', day: 'numeric', ...tz });
  return `${day} ${time}`;
}

/** The note of the last sync when it left something to say (the same words as the audiences screen), else null. */
function note(a: TrayAudience) {
  return a.syncNote && a.syncNote.kind !== 'up_to_date' ? a.syncNote : null;
}

function audienceStatus(a: TrayAudience, opts: TrayModelOptions): string {
  if (a.running) return 'Syncing…';
  if (a.held) return 'Sync held: needs you';
  const n = note(a);
  // An error or a lost connection outranks where the last sync stopped.
  if (n && a.state !== 'error' && a.state !== 'needs_reconnect' && a.state !== 'expired') return syncNoteLabel(n, opts.now);
  return AUDIENCE_STATE_LABELS[a.state];
}

function nextSyncLabel(a: TrayAudience, pausedAll: boolean, opts: TrayModelOptions): string {
  if (pausedAll) return 'Next sync: paused (all)';
  if (a.paused) return 'Next sync: paused';
  if (!a.nextSync) return 'Next sync: not scheduled';
  return `Next sync: ${formatNextSync(a.nextSync, opts)}`;
}

/** Why "Sync now" is unavailable, or null when it can run. A manual sync still works while schedules are paused. */
function syncBlocker(a: TrayAudience): string | null {
  if (a.running) return 'already syncing';
  if (a.state === 'needs_reconnect') return 're-connect first';
  if (a.state === 'expired') return 'expired at TikTok';
  if (a.callsLeftToday <= 0) return 'no calls left today';
  return null;
}

function audienceItem(a: TrayAudience, pausedAll: boolean, opts: TrayModelOptions): TrayItem {
  const nf = new Intl.NumberFormat(opts.locale ?? 'en-US');
  const status = audienceStatus(a, opts);
  const blocker = syncBlocker(a);
  const n = a.running ? null : note(a);
  return {
    kind: 'submenu',
    label: `${a.name} — ${status}`,
    items: [
      { kind: 'item', label: status, enabled: false },
      // The full words, as the audience's page says them: what was done, what is left, and when it goes.
      ...(n ? [{ kind: 'item' as const, label: syncNoteText(n, opts.now), enabled: false }] : []),
      // The decision needs the numbers, which the window shows.
      ...(a.held && !a.running ? [{ kind: 'item' as const, label: 'Review the held sync…', enabled: true, action: { type: 'open' as const } }] : []),
      { kind: 'item', label: nextSyncLabel(a, pausedAll, opts), enabled: false },
      { kind: 'item', label: `Calls left today: ${nf.format(Math.max(0, a.callsLeftToday))} of ${nf.format(a.dailyBudget)}`, enabled: false },
      { kind: 'separator' },
      { kind: 'item', label: blocker ? `Sync now (${blocker})` : 'Sync now', enabled: blocker === null, action: { type: 'sync-now', audienceId: a.id } },
    ],
  };
}

/**
 * "Workspace: Client A" with every workspace as a radio item (the active one checked); choosing another switches the
 * window and the tray to it (#14 §2). Null with a single workspace: there is nothing to switch to.
 */
function workspaceMenu(workspaces: TrayWorkspace[] | undefined): TrayItem | null {
  if (!workspaces || workspaces.length < 2) return null;
  const active = workspaces.find((w) => w.active);
  return {
    kind: 'submenu',
    label: active ? `Workspace: ${active.name}` : 'Workspace',
    items: workspaces.map((w): TrayItem => (w.active ? { kind: 'item', label: w.name, enabled: true, checked: true } : { kind: 'item', label: w.name, enabled: true, checked: false, action: { type: 'switch-workspace', workspaceId: w.id } })),
  };
}

/** Builds the tray menu from the engine's state. */
export function buildTrayModel(s: TraySnapshot, opts: TrayModelOptions): TrayModel {
  const items: TrayItem[] = [];
  // The audiences below are the active workspace's: its name comes first.
  const workspaces = workspaceMenu(s.workspaces);
  if (workspaces) items.push(workspaces, { kind: 'separator' });
  const running = s.audiences.filter((a) => a.running).length;
  const attention = s.audiences.filter((a) => a.state === 'error' || a.state === 'needs_reconnect' || a.held).length;

  if (s.needsReconnect > 0) {
    items.push({ kind: 'item', label: s.needsReconnect === 1 ? 'Re-connect needed: open Cohort Relay' : `${s.needsReconnect} connections need re-connecting`, enabled: true, action: { type: 'open' } });
    items.push({ kind: 'separator' });
  }

  if (s.audiences.length === 0) {
    items.push({ kind: 'item', label: 'No audiences yet', enabled: false });
  } else {
    for (const a of s.audiences.slice(0, TRAY_AUDIENCE_LIMIT)) items.push(audienceItem(a, s.pausedAll, opts));
    const rest = s.audiences.length - TRAY_AUDIENCE_LIMIT;
    if (rest > 0) items.push({ kind: 'item', label: `${rest} more in Cohort Relay…`, enabled: true, action: { type: 'open' } });
  }

  items.push({ kind: 'separator' });
  items.push(s.pausedAll ? { kind: 'item', label: 'Resume all syncs', enabled: true, action: { type: 'resume-all' } } : { kind: 'item', label: 'Pause all syncs', enabled: true, action: { type: 'pause-all' } });
  items.push({ kind: 'item', label: 'Open Cohort Relay', enabled: true, action: { type: 'open' } });
  items.push({ kind: 'item', label: 'Quit', enabled: true, action: { type: 'quit' } });

  const parts = ['Cohort Relay'];
  const activeName = workspaces ? s.workspaces?.find((w) => w.active)?.name : undefined;
  if (activeName) parts.push(activeName);
  if (s.pausedAll) parts.push('syncs paused');
  if (running) parts.push(`${running} syncing`);
  if (attention || s.needsReconnect) parts.push('needs attention');
  if (!s.pausedAll && !running && !attention && !s.needsReconnect) parts.push(s.audiences.length === 1 ? '1 audience' : `${s.audiences.length} audiences`);
  return { tooltip: parts.join(' — '), items };
}

/** The model as Electron menu template items, with each action routed to `onAction`. */
export function toMenuTemplate(items: TrayItem[], onAction: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, submenu: toMenuTemplate(item.items, onAction) };
      case 'item': {
        const action = item.action;
        const base: MenuItemConstructorOptions = item.checked === undefined ? { label: item.label, enabled: item.enabled } : { type: 'radio', checked: item.checked, label: item.label, enabled: item.enabled };
        return action ? { ...base, click: () => onAction(action) } : base;
      }
    }
  });
}

/** What a tray action needs from the host: the engine's handlers (the same client the window's IPC uses), the window, quit. */
export interface TrayActionDeps {
  handlers: Pick<Handlers, 'sync:run' | 'sync:pauseAll' | 'workspaces:switch'>;
  showWindow(): void;
  quit(): void;
}

/** Carries out a tray action; an engine refusal rejects with its AppError (the host shows its words). */
export async function runTrayAction(action: TrayAction, deps: TrayActionDeps): Promise<void> {
  switch (action.type) {
    case 'sync-now':
      await deps.handlers['sync:run']({ audienceId: action.audienceId });
      return;
    case 'pause-all':
    case 'resume-all':
      await deps.handlers['sync:pauseAll']({ paused: action.type === 'pause-all' });
      return;
    case 'switch-workspace':
      // The engine pushes workspace:switched: the window reloads everything it shows.
      await deps.handlers['workspaces:switch']({ id: action.workspaceId });
      return;
    case 'open':
      deps.showWindow();
      return;
    case 'quit':
      deps.quit();
      return;
  }
}
