import { AppError } from '../../../shared/errors';
import { cadenceProblem, clearSchedule, listSchedules, localMinute, nextRunOf, pauseSchedule, setSchedule, withApp, type Cadence } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, localAudienceId, printJson, requireLocalAudienceId, str, type CliCommand } from '../command';
import { notCreatedText, scheduleWords } from '../schedule-words';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const DAY_FORMS = 'a day\'s name (sun, mon, tue, wed, thu, fri, sat, or in full) or its number, 0 (Sunday) to 6 (Saturday)';
const FORMATS = 'hourly, daily@HH:MM, weekly@DAY@HH:MM (DAY: mon, or 1 for Monday), once@YYYY-MM-DDTHH:MM (local time, still to come) or manual';

/** A weekday as the README writes it (mon, monday) or as a number 0 (Sunday) to 6; -1 for anything else. */
function weekdayOf(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^[0-6]$/.test(t)) return Number(t);
  return t.length >= 3 ? WEEKDAYS.findIndex((d) => d.startsWith(t)) : -1;
}

/**
 * Parses "hourly", "daily@06:30", "weekly@mon@09:00" (or weekly@1@09:00), "once@2026-12-01T09:00", "manual". Anything
 * else is bad input (INVALID_ARGUMENT, exit 2) naming the accepted forms; a `once` time that has passed is refused.
 */
export function parseCadence(text: string, now: Date = new Date()): Cadence {
  const [kind = '', a, b, ...more] = text.toLowerCase().split('@');
  const parts = { manual: 1, hourly: 1, daily: 2, weekly: 3, once: 2 }[kind] ?? 0;
  const bad = (why: string) => new AppError('INVALID_ARGUMENT', `Cadence "${text}": ${why}`);
  if (parts === 0) throw new AppError('INVALID_ARGUMENT', `Unknown cadence "${text}": use ${FORMATS}.`);
  if ([a, b, ...more].filter((x) => x !== undefined).length > parts - 1) throw bad(`too many "@" parts. Use ${FORMATS}.`);
  let c: Cadence;
  switch (kind) {
    case 'manual':
      c = { kind: 'manual' };
      break;
    case 'hourly':
      c = { kind: 'hourly' };
      break;
    case 'daily':
      if (!a) throw bad('the time is missing: use daily@HH:MM (24-hour, local time), e.g. daily@06:30.');
      c = { kind: 'daily', at: a };
      break;
    case 'weekly': {
      const weekday = weekdayOf(a ?? '');
      if (weekday < 0) throw bad(`the weekday must be ${DAY_FORMS}; got "${a ?? ''}". E.g. weekly@mon@09:00.`);
      // No default hour: a weekly sync at a time nobody chose (midnight) would surprise; the README gives the full form.
      if (!b) throw bad(`the time is missing: use weekly@${a}@HH:MM (24-hour, local time), e.g. weekly@${a}@09:00.`);
      c = { kind: 'weekly', weekday, at: b };
      break;
    }
    default: {
      // once: the original text after "once@" (a date's "T" and "Z" as typed); a date and time, local unless it says.
      const given = text.slice(text.indexOf('@') + 1).trim();
      if (!/^\d{4}-\d{2}-\d{2}/.test(given)) {
        throw bad(`"${given}" is not a date and time: use once@YYYY-MM-DDTHH:MM (local time), e.g. once@${localMinute(new Date(now.getTime() + 86_400_000))}. Accepted: ${FORMATS}.`);
      }
      // The engine's rule, on the text as typed (a day the month lacks is refused there, before Date rolls it over).
      const problem = cadenceProblem({ kind: 'once', at: given }, now);
      if (problem) throw bad(problem);
      c = { kind: 'once', at: new Date(given).toISOString() };
    }
  }
  const problem = cadenceProblem(c, now);
  if (problem) throw bad(problem);
  return c;
}

/** `cohort-relay schedule add|list|remove|pause|resume`. */
const schedule: CliCommand = {
  summary: "Set, list or remove an audience's cadence; pause or resume scheduled syncs.",
  usage: 'cohort-relay schedule add --audience-id ID --every hourly|daily@HH:MM|weekly@mon@HH:MM|once@YYYY-MM-DDTHH:MM [--json] | list [--json] | remove --audience-id ID | pause|resume [--audience-id ID]',
  options: { 'audience-id': { type: 'string' }, every: { type: 'string' }, json: { type: 'boolean' } },
  allowPositionals: true,
  async run(ctx) {
    const action = ctx.positionals[0] ?? 'list';
    const givenId = localAudienceId(ctx);
    return withApp(ctx.env, async (app) => {
      const needId = () => knownAudience(app, requireLocalAudienceId(ctx)).id;
      switch (action) {
        case 'add': {
          const every = str(ctx, 'every');
          if (!every) throw new AppError('INVALID_ARGUMENT', `Missing --every: ${FORMATS}.`);
          const a = setSchedule(app, needId(), parseCadence(every));
          // The created schedule as `schedule list --json` shows each entry.
          if (flag(ctx, 'json')) printJson(ctx, { id: a.id, name: a.name, cadence: a.cadence, paused: a.paused, nextRun: nextRunOf(app, a), created: a.tiktokAudienceId !== null });
          else ctx.stdout.write(`Audience "${a.name}" now syncs ${every}; next run ${nextRunOf(app, a) ?? 'none'}. Scheduled syncs run while "cohort-relay daemon" or the desktop app is running.\n`);
          return 0;
        }
        case 'remove': {
          const a = clearSchedule(app, needId());
          ctx.stdout.write(`Audience "${a.name}" is no longer scheduled.\n`);
          return 0;
        }
        case 'pause':
        case 'resume': {
          const paused = action === 'pause';
          const id = givenId === undefined ? null : needId();
          pauseSchedule(app, id, paused);
          ctx.stdout.write(`${paused ? 'Paused' : 'Resumed'} ${id === null ? 'all scheduled syncs' : `audience ${id}`}.\n`);
          return 0;
        }
        case 'list': {
          const list = listSchedules(app);
          if (flag(ctx, 'json')) {
            printJson(ctx, list);
            return 0;
          }
          if (list.pausedAll) ctx.stdout.write('All scheduled syncs are paused; resume them with "cohort-relay schedule resume".\n');
          if (list.schedules.length === 0) ctx.stdout.write('No audience has a schedule: there are no audiences yet. Create one with "cohort-relay sync --csv FILE --key email --advertiser ID --audience NAME", then schedule it with "cohort-relay schedule add --audience-id N --every daily@06:00".\n');
          // The same words as `status` (schedule-words.ts): one truth for when an audience syncs next.
          else
            for (const s of list.schedules) {
              ctx.stdout.write(`#${s.id} ${s.name}: ${scheduleWords(s, list.pausedAll)}\n`);
              if (!s.created) ctx.stdout.write(`   ${notCreatedText(s.id)}\n`);
            }
          return 0;
        }
        default:
          throw new AppError('INVALID_ARGUMENT', `Unknown schedule action "${action}": use add, list, remove, pause or resume.`);
      }
    });
  },
};
export default schedule;
