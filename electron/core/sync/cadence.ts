import type { Cadence } from '../store/audiences-repo';

const HOUR = 3_600_000;

function parseHm(at: string): [number, number] {
  const m = /^(\d{1,2}):(\d{2})$/.exec(at);
  if (!m) throw new Error(`Invalid time "${at}": use HH:MM, 24-hour.`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) throw new Error(`Invalid time "${at}": use HH:MM, 24-hour.`);
  return [h, min];
}

/**
 * Checks a cadence a user typed; returns a plain-words problem or null. The one place a cadence is judged (the CLI,
 * the wizard and the schedule editor all come here): a `once` time must be a day the calendar has (2027-02-30 is
 * refused, not rolled over into March) and still to come at `now`.
 */
export function cadenceProblem(c: Cadence, now: Date = new Date()): string | null {
  try {
    if ((c.kind === 'daily' || c.kind === 'weekly') && !c.at) return 'The time is missing: add it as HH:MM, 24-hour local time, e.g. 09:00.';
    if (c.kind === 'daily' || c.kind === 'weekly') parseHm(c.at);
    if (c.kind === 'weekly' && !(Number.isInteger(c.weekday) && c.weekday >= 0 && c.weekday <= 6)) return 'Weekday must be 0 (Sunday) to 6 (Saturday).';
    if (c.kind === 'once') return onceProblem(c.at, now);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Why a one-off time cannot run (no date, a day the month lacks, or already past), or null. */
function onceProblem(given: string, now: Date): string | null {
  const example = localMinute(new Date(now.getTime() + 86_400_000));
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(given.trim());
  if (ymd) {
    const [y, mo, d] = ymd.slice(1).map(Number) as [number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > new Date(y, mo, 0).getDate()) return `${ymd[0]} is not a day of the calendar: give a date that exists, e.g. ${example}.`;
  }
  const at = ymd ? new Date(given.trim()) : new Date(NaN);
  if (Number.isNaN(at.getTime())) return `"${given}" is not a date and time: use YYYY-MM-DDTHH:MM (local time), e.g. ${example}.`;
  if (at.getTime() <= now.getTime()) return `${localMinute(at)} is in the past (it is now ${localMinute(now)}): give a time still to come, or sync now instead.`;
  return null;
}

/** A date as YYYY-MM-DDTHH:MM in local time, the form a one-off time is typed in. */
export function localMinute(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * The latest scheduled slot at or before `now` (local time for daily/weekly, top of the hour for
 * hourly), or null when the cadence has none yet.
 */
export function previousSlot(c: Cadence, now: Date): Date | null {
  switch (c.kind) {
    case 'manual':
      return null;
    case 'once': {
      const at = new Date(c.at);
      return at.getTime() <= now.getTime() ? at : null;
    }
    case 'hourly':
      return new Date(Math.floor(now.getTime() / HOUR) * HOUR);
    case 'daily': {
      const [h, m] = parseHm(c.at);
      const d = new Date(now.getFullYear(), now.getMonth(), now.getDate(), h, m);
      if (d.getTime() > now.getTime()) d.setDate(d.getDate() - 1);
      return d;
    }
    case 'weekly': {
      const [h, m] = parseHm(c.at);
      const d = new Date(now.getFullYear(), now.getMonth(), now.getDate(), h, m);
      d.setDate(d.getDate() - ((d.getDay() - c.weekday + 7) % 7));
      if (d.getTime() > now.getTime()) d.setDate(d.getDate() - 7);
      return d;
    }
  }
}

/** The first slot strictly after `after`, or null. */
export function nextSlot(c: Cadence, after: Date): Date | null {
  switch (c.kind) {
    case 'manual':
      return null;
    case 'once': {
      const at = new Date(c.at);
      return at.getTime() > after.getTime() ? at : null;
    }
    case 'hourly':
      return new Date((Math.floor(after.getTime() / HOUR) + 1) * HOUR);
    case 'daily': {
      const prev = previousSlot(c, after)!;
      const d = new Date(prev);
      d.setDate(d.getDate() + 1);
      return d;
    }
    case 'weekly': {
      const prev = previousSlot(c, after)!;
      const d = new Date(prev);
      d.setDate(d.getDate() + 7);
      return d;
    }
  }
}

/**
 * Whether a slot is due: the latest slot is newer than the last one served. After a sleep that
 * skipped several slots this is true once (the caller then records the latest slot), never once per
 * missed slot.
 */
export function dueSlot(c: Cadence, lastServed: Date | null, createdAt: Date, now: Date): Date | null {
  const prev = previousSlot(c, now);
  if (!prev) return null;
  const since = lastServed ?? (c.kind === 'once' ? new Date(0) : createdAt);
  return prev.getTime() > since.getTime() ? prev : null;
}
