/** Locale-aware formatting for every number, date and duration the screens show. */
import type { Cadence } from '../../../shared/ipc/dto';

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '—' : integer.format(n);
}

export function fmtPercent(fraction: number): string {
  return percent.format(fraction);
}

export function fmtDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : dateTime.format(d);
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : dateOnly.format(d);
}

/** "in 3 hours", "5 minutes ago": the largest unit that fits. */
export function fmtRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const sec = Math.round((t - now) / 1000);
  const abs = Math.abs(sec);
  if (abs < 60) return relative.format(sec, 'second');
  if (abs < 3600) return relative.format(Math.round(sec / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(sec / 3600), 'hour');
  if (abs < 86_400 * 60) return relative.format(Math.round(sec / 86_400), 'day');
  return relative.format(Math.round(sec / (86_400 * 30)), 'month');
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${integer.format(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Seconds left, for an ETA: "about 2 min". */
export function fmtEta(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '';
  if (sec < 1) return 'almost done';
  return `about ${fmtDuration(sec * 1000)} left`;
}

export function fmtBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`;
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export function cadenceText(c: Cadence): string {
  switch (c.kind) {
    case 'manual':
      return 'Manual only';
    case 'once':
      return `Once, ${fmtDateTime(c.at)}`;
    case 'hourly':
      return 'Every hour';
    case 'daily':
      return `Daily at ${c.at}`;
    case 'weekly':
      return `Every ${WEEKDAYS[c.weekday] ?? '?'} at ${c.at}`;
  }
}

/** The last part of a host path, for display. */
export function baseName(path: string | null | undefined): string {
  if (!path) return '—';
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
