import { describe, expect, it } from 'vitest';
import { cadenceProblem, dueSlot, nextSlot, previousSlot } from '../../../../electron/core/sync/cadence';
import { deriveState } from '../../../../electron/core/sync/status';

const local = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi);

describe('cadences', () => {
  it('daily at HH:MM is local time: the previous slot is today once the time has passed, else yesterday', () => {
    const c = { kind: 'daily', at: '06:30' } as const;
    expect(previousSlot(c, local(2026, 11, 24, 7, 0))).toEqual(local(2026, 11, 24, 6, 30));
    expect(previousSlot(c, local(2026, 11, 24, 6, 0))).toEqual(local(2026, 11, 23, 6, 30));
    expect(nextSlot(c, local(2026, 11, 24, 7, 0))).toEqual(local(2026, 11, 25, 6, 30));
  });

  it('weekly lands on the given weekday', () => {
    const c = { kind: 'weekly', weekday: 1, at: '09:00' } as const; // Monday
    const prev = previousSlot(c, local(2026, 11, 26, 12)); // a Thursday
    expect(prev?.getDay()).toBe(1);
    expect(prev).toEqual(local(2026, 11, 23, 9));
    expect(nextSlot(c, local(2026, 11, 26, 12))).toEqual(local(2026, 11, 30, 9));
  });

  it('hourly slots are the tops of the hours', () => {
    const c = { kind: 'hourly' } as const;
    expect(previousSlot(c, local(2026, 11, 24, 7, 42))).toEqual(local(2026, 11, 24, 7, 0));
    expect(nextSlot(c, local(2026, 11, 24, 7, 42))).toEqual(local(2026, 11, 24, 8, 0));
  });

  it('a laptop that slept through three daily slots catches up once, with the latest slot', () => {
    const c = { kind: 'daily', at: '06:00' } as const;
    const created = local(2026, 11, 1, 12);
    const servedMonday = local(2026, 11, 20, 6);
    const wake = local(2026, 11, 23, 10);
    const due = dueSlot(c, servedMonday, created, wake);
    expect(due).toEqual(local(2026, 11, 23, 6));
    expect(dueSlot(c, due, created, wake)).toBeNull();
  });

  it('a new audience is not due for a slot before it existed', () => {
    expect(dueSlot({ kind: 'daily', at: '06:00' }, null, local(2026, 11, 24, 8), local(2026, 11, 24, 9))).toBeNull();
    expect(dueSlot({ kind: 'manual' }, null, local(2026, 11, 24, 8), local(2026, 11, 30))).toBeNull();
  });

  it('once runs a single time after its date', () => {
    const c = { kind: 'once', at: local(2026, 11, 24, 9).toISOString() } as const;
    expect(dueSlot(c, null, local(2026, 11, 24, 10), local(2026, 11, 24, 8))).toBeNull();
    const due = dueSlot(c, null, local(2026, 11, 24, 10), local(2026, 11, 24, 11));
    expect(due).not.toBeNull();
    expect(dueSlot(c, due, local(2026, 11, 24, 10), local(2026, 11, 25))).toBeNull();
  });

  it('names a bad time or weekday plainly', () => {
    expect(cadenceProblem({ kind: 'daily', at: '25:00' })).toMatch(/HH:MM/);
    expect(cadenceProblem({ kind: 'weekly', weekday: 9, at: '09:00' })).toMatch(/Weekday/);
    expect(cadenceProblem({ kind: 'daily', at: '07:15' })).toBeNull();
  });

  it('refuses a once time already past, or on a day the month lacks, in the words the CLI gives; takes one still to come', () => {
    const now = local(2026, 12, 2, 10, 0);
    expect(cadenceProblem({ kind: 'once', at: local(2026, 12, 2, 9, 59).toISOString() }, now)).toBe('2026-12-02T09:59 is in the past (it is now 2026-12-02T10:00): give a time still to come, or sync now instead.');
    expect(cadenceProblem({ kind: 'once', at: '2027-02-30T09:00' }, now)).toBe('2027-02-30 is not a day of the calendar: give a date that exists, e.g. 2026-12-03T10:00.');
    expect(cadenceProblem({ kind: 'once', at: '2027-13-01T09:00' }, now)).toMatch(/not a day of the calendar/);
    expect(cadenceProblem({ kind: 'once', at: 'tomorrow' }, now)).toBe('"tomorrow" is not a date and time: use YYYY-MM-DDTHH:MM (local time), e.g. 2026-12-03T10:00.');
    expect(cadenceProblem({ kind: 'once', at: local(2026, 12, 2, 10, 1).toISOString() }, now)).toBeNull();
    expect(cadenceProblem({ kind: 'once', at: '2027-02-28T09:00' }, now)).toBeNull();
  });

  it('names a missing time of a daily or weekly cadence as missing, with the form to use', () => {
    expect(cadenceProblem({ kind: 'weekly', weekday: 5, at: '' })).toBe('The time is missing: add it as HH:MM, 24-hour local time, e.g. 09:00.');
    expect(cadenceProblem({ kind: 'daily', at: '' })).toMatch(/time is missing/);
  });
});

describe('derived audience state', () => {
  const remote = { audienceId: '1', name: 'a', calculateType: 'EMAIL_SHA256', coverNum: 5000, isValid: true, isExpiring: false, expiredTime: '2027-11-24 00:00:00', createTime: null, errorMsg: null, isCreator: true };
  const base = { tiktokAudienceId: '1', connectionNeedsReconnect: false, remote, localSize: 6000, lastRunError: null, now: new Date('2026-11-24T00:00:00Z') };
  it.each([
    ['available', {}],
    ['processing', { remote: { ...remote, isValid: false, coverNum: 0 } }],
    // Processing vs unavailable comes from TikTok's matched size and the time since the last change, never from
    // how many rows we sent.
    ['processing', { remote: { ...remote, isValid: false, coverNum: 0 }, localSize: 600, lastChangeAt: new Date('2026-11-23T20:00:00Z') }],
    ['unavailable', { remote: { ...remote, isValid: false, coverNum: 0 }, localSize: 6000, lastChangeAt: new Date('2026-11-21T00:00:00Z') }],
    ['unavailable', { remote: { ...remote, isValid: false, coverNum: 0, createTime: '2026-11-20 00:00:00' }, localSize: 6000 }],
    ['unavailable', { remote: { ...remote, isValid: false, coverNum: 640 }, localSize: 6000, lastChangeAt: new Date('2026-11-23T23:00:00Z') }],
    ['unavailable', { remote: { ...remote, coverNum: 800 } }],
    ['unavailable', { markedUnavailable: true }],
    ['needs_reconnect', { advertiserUnreachable: true }],
    ['expiring', { remote: { ...remote, isExpiring: true } }],
    ['expired', { remote: { ...remote, expiredTime: '2026-11-01 00:00:00' } }],
    ['needs_reconnect', { connectionNeedsReconnect: true }],
    ['error', { remote: null }],
    ['error', { lastRunError: 'AUDIENCE_TOO_SMALL' }],
    ['never_synced', { tiktokAudienceId: null, remote: undefined }],
  ] as const)('%s', (state, patch) => {
    expect(deriveState({ ...base, ...patch })).toBe(state);
  });
});
