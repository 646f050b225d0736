import { fmtEta, fmtInt } from '../app/format';

export interface ProgressBarProps {
  label: string;
  /** 0..100, or null when the total is unknown (an indeterminate bar). */
  percent: number | null;
  rows?: number;
  rowsPerSec?: number;
  etaSec?: number;
  phase?: string;
}

/** Long work with counts, speed and ETA; announced politely to screen readers. */
export function ProgressBar({ label, percent, rows, rowsPerSec, etaSec, phase }: ProgressBarProps) {
  const pct = percent === null ? null : Math.max(0, Math.min(100, percent));
  const parts = [
    phase ? phase[0]!.toUpperCase() + phase.slice(1) : null,
    rows !== undefined ? `${fmtInt(rows)} rows` : null,
    rowsPerSec !== undefined ? `${fmtInt(rowsPerSec)} rows/s` : null,
    fmtEta(etaSec) || null,
  ].filter(Boolean);
  return (
    <div className="progress">
      <p className="progress-label">{label}</p>
      <div
        className={`progress-track ${pct === null ? 'progress-indeterminate' : ''}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct === null ? undefined : Math.round(pct)}
        aria-valuetext={parts.join(', ') || undefined}
      >
        <div className="progress-fill" style={pct === null ? undefined : { width: `${pct}%` }} />
      </div>
      <p className="progress-text" aria-live="polite">
        {pct !== null && <strong>{Math.round(pct)}%</strong>} {parts.join(' · ')}
      </p>
    </div>
  );
}
