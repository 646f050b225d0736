import { WEEKDAYS } from '../../app/format';
import type { Cadence } from '../../../../shared/ipc/dto';

/** Manual, hourly, daily at a time, weekly on a day at a time, or once at a date and time. */
export function CadencePicker({ value, onChange, idPrefix }: { value: Cadence; onChange(c: Cadence): void; idPrefix: string }) {
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
