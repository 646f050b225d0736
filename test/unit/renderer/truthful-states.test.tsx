// @vitest-environment jsdom
/**
 * #11 items 7, 8, 11, 13, 14, 17 as the screens show them: the last sync's truthful state on the row and the detail
 * (partly synced, retrying, cancelled after N, waiting for quota until …, already up to date — neutral), "Next changes
 * at 00:00 UTC" on an exhausted row, the 24-call budget cap, the hourly cadence forecast, the dry run's recap, bar and
 * progress, the two ways out under 1,000, the sync result in numbers, and the sent-vs-matched chart.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { wireEvents } from '../../../renderer/src/app/engine-events';
import { AudiencesScreen } from '../../../renderer/src/features/audiences/audiences-screen';
import { AudienceDetail } from '../../../renderer/src/features/audiences/audience-detail';
import { SizeChart, niceTicks } from '../../../renderer/src/features/audiences/size-chart';
import { localTime, nextUtcMidnight, quotaResetText, syncNoteLabel, syncNoteText } from '../../../renderer/src/features/audiences/sync-note';
import { CadencePicker, cadenceForecast } from '../../../renderer/src/ui/cadence-picker';
import { SettingsScreen } from '../../../renderer/src/features/settings/settings-screen';
import { MappingScreen } from '../../../renderer/src/features/mapping/mapping-screen';
import { DAILY_BUDGET_TOO_HIGH, type Cadence, type SyncNoteView } from '../../../shared/ipc/dto';
import { audience, detail, plan, run, settings } from './fake-bridge';
import { clickWhenEnabled, useFakeEngine } from './setup';
import { nameNewAudience, openInWizard, toDestinationStep, wizardEngine } from './wizard-walk';

const NOW = new Date('2026-11-24T10:00:00Z');
const note = (over: Partial<SyncNoteView>): SyncNoteView => ({ kind: 'up_to_date', runId: 3, added: 0, removed: 0, addsLeft: 0, removesLeft: 0, callsUsed: 0, until: null, size: null, ...over });
const hhmm = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

describe('the last sync, in words with the numbers (item 7)', () => {
  it('each state says what was done apart from what is left, and when the rest goes', () => {
    const soon = new Date(NOW.getTime() + 30 * 60_000).toISOString();
    expect(syncNoteText(note({ kind: 'retrying', addsLeft: 100, until: soon }), NOW)).toBe(`TikTok is still processing; next try at ${hhmm(soon)}. Nothing sent yet; still 100 to add.`);
    expect(syncNoteText(note({ kind: 'cancelled', added: 2000, addsLeft: 2000, callsUsed: 1 }), NOW)).toBe('Cancelled after 2,000 added; 2,000 to add left for the next sync (1 call spent).');
    expect(syncNoteText(note({ kind: 'partly_synced', added: 300, removesLeft: 200, callsUsed: 1 }), NOW)).toBe('Partly synced: 300 added; still 200 to remove (1 call spent). The next sync sends the rest.');
    expect(syncNoteText(note({ kind: 'waiting_cohort', size: 640 }), NOW)).toBe('Waiting for 1,000 people (the file has 640): the audience is created at TikTok by the first sync that finds 1,000.');
    expect(syncNoteText(note({ kind: 'up_to_date' }), NOW)).toMatch(/^Already up to date/);
  });

  it('the row says it short, with the number or time that matters', () => {
    const soon = new Date(NOW.getTime() + 30 * 60_000).toISOString();
    expect(syncNoteLabel(note({ kind: 'retrying', until: soon }), NOW)).toBe(`Retrying at ${hhmm(soon)}`);
    expect(syncNoteLabel(note({ kind: 'cancelled', added: 2000, addsLeft: 2000 }), NOW)).toBe('Cancelled after 2,000 added');
    expect(syncNoteLabel(note({ kind: 'partly_synced', added: 300, removesLeft: 200 }), NOW)).toBe('Partly synced: 300 of 500');
    expect(syncNoteLabel(note({ kind: 'waiting_cohort', size: 640 }), NOW)).toBe('Waiting for 1,000 (has 640)');
    expect(syncNoteLabel(note({ kind: 'up_to_date' }), NOW)).toBe('Up to date');
  });

  it('the row shows the state in short with the full words, and an exhausted audience when changes start again', async () => {
    const until = nextUtcMidnight().toISOString();
    useFakeEngine({
      'audiences:list': () => [
        audience({ id: 1, name: 'Buyers', callsLeftToday: 0, syncNote: note({ kind: 'waiting_quota', added: 0, addsLeft: 2500, callsUsed: 0, until }) }),
        audience({ id: 2, name: 'Lapsed', syncNote: note({ kind: 'up_to_date' }) }),
      ],
    });
    render(<AudiencesScreen />);
    const grid = await screen.findByRole('grid', { name: 'Audiences' });
    const [, buyers, lapsed] = within(grid).getAllByRole('row');
    const waiting = within(buyers!).getByText(`Waiting for quota until ${localTime(until)}`);
    expect(waiting.getAttribute('title')).toMatch(/^Waiting for quota until .*: nothing sent yet; still 2,500 to add \(0 calls spent today\)\.$/);
    expect(within(buyers!).getByText(/^Next changes at 00:00 UTC \(\d\d:\d\d your time\)$/)).toBeTruthy();
    expect(within(buyers!).queryByRole('meter')).toBeNull();
    // Nothing to do is neutral: a muted note, no alert.
    const upToDate = within(lapsed!).getByText('Up to date');
    expect(upToDate.className).toContain('muted');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('"Next changes at" names 00:00 UTC and the same moment in local time', () => {
    const at = nextUtcMidnight(NOW);
    expect(at.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(quotaResetText(NOW)).toBe(`Next changes at 00:00 UTC (${hhmm(at.toISOString())} your time)`);
  });

  it('the detail screen shows the full words and calls spent', async () => {
    useFakeEngine({ 'audiences:get': () => detail({ syncNote: note({ kind: 'cancelled', added: 2000, addsLeft: 2000, callsUsed: 1 }), recentRuns: [run({ status: 'cancelled', callsUsed: 1 })] }) });
    render(<AudienceDetail id={1} />);
    expect((await screen.findByRole('status', { name: 'Last sync' })).textContent).toBe('Cancelled after 2,000 added; 2,000 to add left for the next sync (1 call spent).');
  });
});

describe('under 1,000 on the detail screen (item 8)', () => {
  it('the size card shows the blocked size', async () => {
    useFakeEngine({ 'audiences:get': () => detail({ localSize: 1100, syncNote: note({ kind: 'floor_blocked', size: 900 }) }) });
    render(<AudienceDetail id={1} />);
    expect(await screen.findByText('Blocked at 900 (under 1,000)')).toBeTruthy();
    expect(screen.getByRole('status', { name: 'Last sync' }).textContent).toMatch(/^Blocked under 1,000: this sync would leave 900 people/);
  });

  it('an audience waiting for 1,000 can be created now: the wait ends and a sync starts', async () => {
    let waiting = true;
    const b = useFakeEngine({
      'audiences:get': () => detail({ tiktokAudienceId: null, localSize: 0, startAtFloor: waiting, syncNote: waiting ? note({ kind: 'waiting_cohort', size: 640 }) : null }),
      'audiences:list': () => [],
      'audiences:update': () => {
        waiting = false;
        return audience({ tiktokAudienceId: null });
      },
      'sync:run': () => ({ runId: 5 }),
    });
    render(<AudienceDetail id={1} />);
    expect(await screen.findByText('File has 640 of 1,000 needed')).toBeTruthy();
    await clickWhenEnabled('Create now, usable at 1,000');
    await waitFor(() => expect(b.callsTo('sync:run')).toEqual([{ audienceId: 1 }]));
    expect(b.callsTo('audiences:update')).toEqual([{ id: 1, startAtFloor: false }]);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Create now, usable at 1,000' })).toBeNull());
  });
});

describe('the daily budget and the cadence forecast (item 11)', () => {
  it('settings refuse a budget above 24 with the words, and send nothing', async () => {
    const b = useFakeEngine({ 'settings:get': () => settings(), 'settings:set': () => settings() });
    render(<SettingsScreen />);
    const field = (await screen.findByLabelText('Daily call budget per audience')) as HTMLInputElement;
    expect(field.max).toBe('24');
    fireEvent.change(field, { target: { value: '30' } });
    fireEvent.blur(field);
    expect(screen.getByText(DAILY_BUDGET_TOO_HIGH)).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(b.callsTo('settings:set')).toEqual([]);
    fireEvent.change(field, { target: { value: '20' } });
    fireEvent.blur(field);
    await waitFor(() => expect(b.callsTo('settings:set')).toEqual([{ dailyCallBudget: 20 }]));
  });

  it('hourly forecasts up to 48 calls a day, over 24, and offers a cadence that fits', () => {
    const f = cadenceForecast({ kind: 'hourly' }, 24)!;
    expect(f).toMatchObject({ perDay: 48, fits: false, suggestion: { kind: 'daily', at: '06:00' } });
    expect(f.text).toMatch(/^Every hour can use up to 48 calls a day \(2 calls a run \(people added and removed\)\), over the 24 a day/);
    expect(cadenceForecast({ kind: 'daily', at: '06:00' }, 24)).toMatchObject({ perDay: 2, fits: true });
    expect(cadenceForecast({ kind: 'manual' }, 24)).toBeNull();

    let value: Cadence = { kind: 'manual' };
    const onChange = (c: Cadence) => {
      value = c;
      rerender(<CadencePicker value={value} onChange={onChange} idPrefix="t" />);
    };
    const { rerender } = render(<CadencePicker value={value} onChange={onChange} idPrefix="t" />);
    expect(screen.queryByLabelText('Calls per day')).toBeNull();
    fireEvent.change(screen.getByLabelText('Cadence'), { target: { value: 'hourly' } });
    expect(screen.getByLabelText('Calls per day').textContent).toMatch(/up to 48 calls a day/);
    fireEvent.click(screen.getByRole('button', { name: 'Use daily at 06:00 instead' }));
    expect(value).toEqual({ kind: 'daily', at: '06:00' });
    expect(screen.getByLabelText('Calls per day').textContent).toMatch(/^Daily at 06:00 uses up to 2 of the 24 calls a day/);
  });

  it('editing a saved audience forecasts too, except for a partner audience', async () => {
    useFakeEngine({ 'audiences:list': () => [audience({ cadence: { kind: 'hourly' } }), audience({ id: 2, name: 'Partner', api: 'segment', cadence: { kind: 'hourly' } })] });
    const { unmount } = render(<MappingScreen id={1} />);
    expect((await screen.findByLabelText('Calls per day')).textContent).toMatch(/up to 48 calls a day/);
    unmount();
    render(<MappingScreen id={2} />);
    await screen.findByLabelText('Cadence');
    expect(screen.queryByLabelText('Calls per day')).toBeNull();
  });

  it('a partner audience has no daily cap: no forecast', () => {
    render(<CadencePicker value={{ kind: 'hourly' }} onChange={() => {}} idPrefix="t" partner />);
    expect(screen.queryByLabelText('Calls per day')).toBeNull();
  });
});

async function toDryRun(name = 'Spring buyers', cadence = 'daily') {
  await openInWizard();
  await toDestinationStep();
  await nameNewAudience(name, cadence);
  await clickWhenEnabled('Next: dry run');
}

describe('the dry run (items 14, 17) and under 1,000 (item 8)', () => {
  it('recaps advertiser, audience, key, cadence and calls before and after, with an add/remove bar', async () => {
    wizardEngine();
    await toDryRun();
    const dl = await screen.findByLabelText('Dry run recap');
    const text = dl.textContent!;
    expect(text).toContain('AdvertiserSandbox Shop (7000000001)');
    expect(text).toContain('AudienceSpring buyers (new)');
    expect(text).toContain('KeyEmail');
    expect(text).toContain('CadenceDaily at 06:00');
    expect(text).toContain('Calls left today22 of 24 now → 20 after this sync (uses 2)');
    expect(screen.getByRole('img', { name: '150 to add, 50 to remove, 2,800 unchanged' })).toBeTruthy();
  });

  it('an hourly cadence that can use more calls than the day has is flagged in the dry run too', async () => {
    wizardEngine();
    await toDryRun('Spring buyers', 'hourly');
    expect((await screen.findByLabelText('Dry run recap')).textContent).toContain('CadenceEvery hour');
    expect(screen.getByText(/^Every hour can use up to 48 calls a day .* Go back to choose another cadence\.$/)).toBeTruthy();
  });

  it('shows a progress bar while the dry run reads the file', async () => {
    let release: () => void = () => {};
    wizardEngine({ 'sync:plan': () => new Promise((r) => (release = () => r(plan({ audienceId: 4 })))) });
    await toDryRun();
    expect(await screen.findByRole('progressbar', { name: 'Dry run: reading, hashing and comparing — nothing is sent' })).toBeTruthy();
    release();
    expect(await screen.findByLabelText('Dry run recap')).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('a disabled "Sync now" says why', async () => {
    const why = 'This sync would leave the audience with 900 people (now 1,100, +0, −200). Nothing was sent.';
    wizardEngine({ 'sync:plan': () => plan({ audienceId: 4, currentSize: 1100, projectedSize: 1100, adds: 0, removes: 200, floorWarning: why }) });
    await toDryRun();
    const sync = (await screen.findByRole('button', { name: 'Sync now' })) as HTMLButtonElement;
    await waitFor(() => expect(sync.title).toBe(why));
    expect(sync.disabled).toBe(true);
    expect(document.getElementById(sync.getAttribute('aria-describedby')!)!.textContent).toBe(why);
  });

  it('under 1,000: "Start when the cohort reaches 1,000" saves the audience as waiting, nothing synced', async () => {
    let saved: ReturnType<typeof audience>[] = [];
    const b = wizardEngine({
      'sync:plan': () => plan({ audienceId: 4, adds: 640, projectedSize: 640, floorWarning: 'The audience will hold 640 people; TikTok shows audiences under 1,000 as unavailable and they cannot be targeted.' }),
      'audiences:list': () => saved,
      'audiences:create': () => {
        saved = [audience({ id: 4, name: 'Early birds', state: 'never_synced', tiktokAudienceId: null, startAtFloor: true })];
        return saved[0]!;
      },
    });
    await toDryRun('Early birds');
    expect(await screen.findByText("Under TikTok's 1,000 floor: 640 people")).toBeTruthy();
    const sync = screen.getByRole('button', { name: 'Sync now' }) as HTMLButtonElement;
    expect(sync.disabled).toBe(true);
    expect(sync.title).toMatch(/choose "Create now, usable at 1,000" or "Start when the cohort reaches 1,000"/);
    await clickWhenEnabled('Start when the cohort reaches 1,000');
    await waitFor(() => expect(b.callsTo('audiences:create')).toHaveLength(1));
    expect(b.callsTo('audiences:create')[0]).toMatchObject({ name: 'Early birds', startAtFloor: true, cadence: { kind: 'daily', at: '06:00' } });
    expect(b.callsTo('sync:run')).toEqual([]);
    expect(await screen.findByText('Saved as waiting: its scheduled syncs create it at TikTok once the file has 1,000 people. Nothing was sent.')).toBeTruthy();
    // Save is now disabled, and says why.
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).title).toBe('Already saved.');
  });

  it('"Next: dry run" disabled says why', async () => {
    wizardEngine();
    await openInWizard();
    await toDestinationStep();
    await nameNewAudience('  ');
    const next = (await screen.findByRole('button', { name: 'Next: dry run' })) as HTMLButtonElement;
    await waitFor(() => expect(next.disabled).toBe(true));
    expect(next.title).toBe('Name the audience first.');
    expect(document.getElementById(next.getAttribute('aria-describedby')!)!.textContent).toBe('Name the audience first.');
  });

  it('under 1,000: "Create now, usable at 1,000" creates and syncs it now', async () => {
    const b = wizardEngine({ 'sync:plan': () => plan({ audienceId: 4, adds: 640, projectedSize: 640, floorWarning: 'The audience will hold 640 people.' }) });
    await toDryRun('Early birds');
    await clickWhenEnabled('Create now, usable at 1,000');
    await waitFor(() => expect(b.callsTo('sync:run')).toEqual([{ audienceId: 4 }]));
    expect(b.callsTo('audiences:create')[0]).not.toHaveProperty('startAtFloor');
  });
});

describe('the sync result in numbers (item 13)', () => {
  it('added, removed, calls used and left, audience, advertiser, matched so far', async () => {
    const b = wizardEngine({
      'runs:get': () => ({ ...run({ id: 9, audienceId: 4, adds: 150, removes: 50, callsUsed: 2 }), calls: [] }),
      'audiences:get': () => detail({ id: 4, name: 'Spring buyers', callsLeftToday: 20, dailyBudget: 24, coverNum: 1480, tiktokAudienceId: '9000000004' }),
    });
    const off = wireEvents(b);
    await toDryRun();
    await clickWhenEnabled('Sync now');
    await screen.findByRole('button', { name: 'Cancel sync' });
    b.emit('run:finished', { runId: 9, audienceId: 4, status: 'done', trigger: 'manual', error: null });
    const stats = await screen.findByLabelText('Sync result');
    expect(stats.textContent).toBe('Added150Removed50Calls used2Calls left today20 of 24Matched so far1,480');
    expect(screen.getByText(/TikTok id 9000000004/).textContent).toContain('Advertiser Sandbox Shop (7000000001)');
    off();
  });

  it('a sync with nothing to do is "already up to date", and a waiting one is no red box', async () => {
    const b = wizardEngine({
      'runs:get': () => ({ ...run({ id: 9, audienceId: 4, adds: 0, removes: 0, callsUsed: 0 }), calls: [] }),
      'audiences:get': () => detail({ id: 4 }),
    });
    const off = wireEvents(b);
    await toDryRun();
    await clickWhenEnabled('Sync now');
    await screen.findByRole('button', { name: 'Cancel sync' });
    b.emit('run:finished', { runId: 9, audienceId: 4, status: 'done', trigger: 'manual', error: null });
    expect(await screen.findByText('Already up to date: the file matches what TikTok has, so nothing was sent.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    off();
  });

  it('a deferred result shows its reason as a notice, not an error', async () => {
    const b = wizardEngine({ 'runs:get': () => ({ ...run({ id: 9, audienceId: 4, status: 'deferred' }), calls: [] }), 'audiences:get': () => detail({ id: 4 }) });
    const off = wireEvents(b);
    await toDryRun();
    await clickWhenEnabled('Sync now');
    await screen.findByRole('button', { name: 'Cancel sync' });
    const msg = "Today's 24 calls for this audience are used; 1 call(s) wait until 2026-11-25T00:00:00.000Z (UTC midnight).";
    b.emit('run:finished', { runId: 9, audienceId: 4, status: 'deferred', trigger: 'manual', error: { code: 'QUOTA_EXHAUSTED', message: msg, retryable: true } });
    expect(await screen.findByText(msg)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
    off();
  });
});

describe('a cancelled sync in the wizard (item 7)', () => {
  it('is no red box: it says what went through and what is left', async () => {
    const b = wizardEngine({
      'runs:get': () => ({ ...run({ id: 9, audienceId: 4, status: 'cancelled', adds: 4000, callsUsed: 1 }), calls: [] }),
      'audiences:get': () => detail({ id: 4, syncNote: note({ kind: 'cancelled', runId: 9, added: 2000, addsLeft: 2000, callsUsed: 1 }) }),
    });
    const off = wireEvents(b);
    await toDryRun();
    await clickWhenEnabled('Sync now');
    await screen.findByRole('button', { name: 'Cancel sync' });
    // The engine's words say how far the run got (sync-runner's cancelledWords).
    b.emit('run:finished', { runId: 9, audienceId: 4, status: 'cancelled', trigger: 'manual', error: { code: 'CANCELLED', message: 'Cancelled after 1 call to TikTok: what they sent stays, and the next sync sends the rest.', retryable: false } });
    expect(await screen.findByText('Cancelled after 1 call to TikTok: what they sent stays, and the next sync sends the rest.')).toBeTruthy();
    expect(await screen.findByText('Cancelled after 2,000 added; 2,000 to add left for the next sync (1 call spent).')).toBeTruthy();
    expect((await screen.findByLabelText('Sync result')).textContent).toContain('Added2,000');
    expect(screen.queryByRole('alert')).toBeNull();
    off();
  });
});

describe('the sent-vs-matched chart (item 17)', () => {
  it('shows the match rate, hover values on each point, and round ticks', () => {
    const { container } = render(
      <SizeChart
        history={[
          { at: '2026-11-20T06:00:00Z', sent: 1200, matched: 1150 },
          { at: '2026-11-24T06:00:00Z', sent: 1500, matched: 1480 },
        ]}
      />,
    );
    expect(screen.getByText('99 %').closest('p')!.textContent).toBe('Match rate 99 % (1,480 of 1,500 sent)');
    const titles = [...container.querySelectorAll('circle > title')].map((t) => t.textContent);
    expect(titles).toHaveLength(4);
    expect(titles[1]).toMatch(/: 1,500 sent, 1,480 matched \(99 %\)$/);
    const labels = [...container.querySelectorAll('text.chart-label')].map((t) => t.textContent);
    // Round y ticks up to the top, then each of the two checks' dates.
    expect(labels.slice(0, 4)).toEqual(['0', '500', '1,000', '1,500']);
    expect(labels).toHaveLength(6);
    expect(screen.getByRole('img').getAttribute('aria-label')).toMatch(/match rate 99 %/);
  });

  it('one sync reads well: the point, its rate, and what comes next', () => {
    const { container } = render(<SizeChart history={[{ at: '2026-11-24T06:00:00Z', sent: 1500, matched: null }]} />);
    expect(container.querySelectorAll('polyline')).toHaveLength(0);
    expect(container.querySelectorAll('circle')).toHaveLength(1);
    expect(screen.getByText('One sync so far: the lines start with the next one.')).toBeTruthy();
    expect(screen.getByText(/TikTok has not reported a matched count yet/)).toBeTruthy();
  });

  it('ticks are round numbers that reach the top', () => {
    expect(niceTicks(1500)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(1480)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(17_472)).toEqual([0, 5000, 10000, 15000, 20000]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
  });
});
