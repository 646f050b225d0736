import { fmtInt } from '../app/format';

/** Calls left today out of the daily budget: a bar with the numbers spelled out for screen readers. */
export function Meter({ value, max, label, compact = false }: { value: number; max: number; label: string; compact?: boolean }) {
  const ratio = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  const tone = ratio <= 0 ? 'bad' : ratio < 0.25 ? 'warn' : 'good';
  const text = `${fmtInt(value)} of ${fmtInt(max)}`;
  return (
    <div className={`meter ${compact ? 'meter-compact' : ''}`}>
      <div className={`meter-track meter-${tone}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value} aria-valuetext={`${text} ${label.toLowerCase()}`}>
        <div className="meter-fill" style={{ width: `${ratio * 100}%` }} />
      </div>
      <span className="meter-text">{text}</span>
    </div>
  );
}
