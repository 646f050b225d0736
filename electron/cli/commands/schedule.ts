import { AppError } from '../../../shared/errors';
import { cadenceProblem, clearSchedule, listSchedules, nextRunOf, pauseSchedule, setSchedule, withApp, type Cadence } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, localAudienceId, printJson, requireLocalAudienceId, str, type CliCommand } from '../command';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Parses "hourly", "daily@06:30", "weekly@mon@09:00", "once@2026-12-01T09:00", "manual". */
export function parseCadence(text: string): Cadence {
  const [kind, a, b] = text.toLowerCase().split('@');
  let c: Cadence;
  switch (kind) {
    case 'manual':
      c = { kind: 'manual' };
      break;
    case 'hourly':
      c = { kind: 'hourly' };
      break;
    case 'daily':
      c = { kind: 'daily', at: a ?? '' };
      break;
    case 'weekly':
      c = { kind: 'weekly', weekday: WEEKDAYS.indexOf((a ?? '').slice(0, 3)), at: b ?? '' };
      break;
    case 'once':
      c = { kind: 'once', at: new Date(text.slice(5)).toISOString() };
      break;
    default:
      throw new AppError('INVALID_ARGUMENT', `Unknown cadence "${text}": use hourly, daily@HH:MM, weekly@mon@HH:MM, once@2026-12-01T09:00 or manual.`);
  }
  const problem = cadenceProblem(c);
  if (problem) throw new AppError('INVALID_ARGUMENT', `Cadence "${text}": ${problem}`);
  return c;
}

/** `cohort-relay schedule add|list|remove|pause|resume`. */
const schedule: CliCommand = {
  summary: "Set, list or remove an audience's cadence; pause or resume scheduled syncs.",
  usage: 'cohort-relay schedule add --audience-id ID --every hourly|daily@HH:MM|weekly@mon@HH:MM|once@ISO | list [--json] | remove --audience-id ID | pause|resume [--audience-id ID]',
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
          if (!every) throw new AppError('INVALID_ARGUMENT', 'Missing --every: hourly, daily@HH:MM, weekly@mon@HH:MM or once@ISO-date.');
          const a = setSchedule(app, needId(), parseCadence(every));
          ctx.stdout.write(`Audience "${a.name}" now syncs ${every}; next run ${nextRunOf(app, a) ?? 'none'}. Scheduled syncs run while "cohort-relay daemon" or the desktop app is running.\n`);
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
          else for (const s of list.schedules) ctx.stdout.write(`#${s.id} ${s.name}: ${s.cadence.kind}${'at' in s.cadence ? ` ${s.cadence.at}` : ''}${s.paused ? ' (paused)' : ''}, next ${s.nextRun ?? '—'}\n`);
          return 0;
        }
        default:
          throw new AppError('INVALID_ARGUMENT', `Unknown schedule action "${action}": use add, list, remove, pause or resume.`);
      }
    });
  },
};
export default schedule;
