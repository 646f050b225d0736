import { WEEKDAYS, cadenceText, fmtInt } from '../app/format';
import { useApp } from '../app/store';
import { Button } from './button';
import { MAX_DAILY_CALL_BUDGET, type Cadence } from '../../../shared/ipc/dto';

/** Most scheduled runs of a cadence in one UTC day. */
function runsPerDay(c: Cadence): number {
  return c.kind === 'hourly' ? 24 : c.kind === 'manual' ? 0 : 1;
}

export interface CadenceForecast {
  /** Most audience-modifying calls a day the schedule can use. */
  perDay: number;
  budget: number;
  fits: boolean;
  text: string;
  /** A cadence that fits the budget, when this one does not. */
  suggestion: Cadence | null;
}

/**
 * What a schedule costs in TikTok's daily calls: each run that both adds and removes people uses two calls (an APPEND and a
 * REMOVE), so every hour can cost 48 a day, over TikTok's 24 per audience. Null for manual syncs (nothing runs by itself).
 */
export function cadenceForecast(c: Cadence, budget: number = MAX_DAILY_CALL_BUDGET, callsPerRun = 2): CadenceForecast | null {
  const runs = runsPerDay(c);
  if (runs === 0 || c.kind === 'once') return null;
  const perDay = runs * callsPerRun;
  const fits = perDay <= budget;
  const each = callsPerRun === 1 ? '1 call a run' : `${fmtInt(callsPerRun)} calls a run (people added and removed)`;
  if (fits) return { perDay, budget, fits, suggestion: null, text: `${cadenceText(c)} uses up to ${fmtInt(perDay)} of the ${fmtInt(budget)} calls a day this audience may make (${each}).` };
  const suggestion: Cadence = { kind: 'daily', at: '06:00' };
  return {
    perDay,
    budget,
    fits,
    suggestion,
    text: `${cadenceText(c)} can use up to ${fmtInt(perDay)} calls a day (${each}), over the ${fmtInt(budget)} a day this audience may make: changes past that wait for the next UTC day. ${cadenceText(suggestion)} uses at most ${fmtInt(callsPerRun)}.`,
  };
}

/** Manual, hourly, daily at a time, weekly on a day at a time, or once at a date and time. */
export function CadencePicker({ value, onChange, idPrefix, partner = false }: { value: Cadence; onChange(c: Cadence): void; idPrefix: string; partner?: boolean }) {
  const budget = useApp((st) => st.settings.data?.dailyCallBudget ?? MAX_DAILY_CALL_BUDGET);
  // A partner audience has no daily change cap: nothing to forecast.
  const forecast = partner ? null : cadenceForecast(value, budget);
  const at = value.kind === 'daily' || value.kind === 'weekly' ? value.at : '06:00';
  const setKind = (kind: Cadence['kind']) => {
    switch (kind) {
      case 'manual':
      case 'hourly':
        return onChange({ kind });
      case 'daily':
        return onChange({ kind, at });
      case 'weekly':
        return onChange({ kind, weekday: value.kind === 'weekly' ? value.weekday : 1, at });
      case 'once':
        return onChange({ kind, at: new Date(Date.now() + 3600_000).toISOString() });
    }
  };
  return (
    <fieldset className="fieldset cadence">
      <legend>Keep it in step</legend>
      <label className="field field-inline">
        <span>Cadence</span>
        <select id={`${idPrefix}-kind`} value={value.kind} onChange={(e) => setKind(e.target.value as Cadence['kind'])}>
          <option value="manual">Manual only (Sync now)</option>
          <option value="hourly">Every hour</option>
          <option value="daily">Daily</option>
          <option value="weekly">Weekly</option>
          <option value="once">Once, later</option>
        </select>
      </label>
      {value.kind === 'weekly' && (
        <label className="field field-inline">
          <span>On</span>
          <select value={value.weekday} onChange={(e) => onChange({ ...value, weekday: Number(e.target.value) })}>
            {WEEKDAYS.map((d, i) => (
              <option key={d} value={i}>
                {d}
              </option>
            ))}
          </select>
        </label>
      )}
      {(value.kind === 'daily' || value.kind === 'weekly') && (
        <label className="field field-inline">
          <span>At (local time)</span>
          <input type="time" value={value.at} required onChange={(e) => e.target.value && onChange({ ...value, at: e.target.value })} />
        </label>
      )}
      {value.kind === 'once' && (
        <label className="field field-inline">
          <span>At</span>
          <input
            type="datetime-local"
            value={toLocalInput(value.at)}
            required
            onChange={(e) => {
              const d = new Date(e.target.value);
              if (!Number.isNaN(d.getTime())) onChange({ kind: 'once', at: d.toISOString() });
            }}
          />
        </label>
      )}
      {forecast && (
        <div className={`small ${forecast.fits ? 'muted' : 'warn'}`} role={forecast.fits ? undefined : 'status'} aria-label="Calls per day">
          <p>{forecast.text}</p>
          {forecast.suggestion && (
            <Button size="small" onClick={() => forecast.suggestion && onChange(forecast.suggestion)}>
              Use {cadenceText(forecast.suggestion).toLowerCase()} instead
            </Button>
          )}
        </div>
      )}
      <p className="muted small">Scheduled syncs run in the background, with the window closed. A computer that slept through a slot catches up once.</p>
    </fieldset>
  );
}

function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
