/** Sent (our local size) vs matched (TikTok's cover_num) over time, as inline SVG: no chart library. */
import { fmtDate, fmtDateTime, fmtInt } from '../../app/format';
import type { SizePoint } from '../../../../shared/ipc/dto';

const W = 640;
const H = 240;
const PAD = { left: 64, right: 16, top: 16, bottom: 36 };

export function SizeChart({ history }: { history: SizePoint[] }) {
  const points = [...history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (points.length === 0) return <p className="muted">No syncs yet: the chart fills in after the first one.</p>;
  const t0 = Date.parse(points[0]!.at);
  const t1 = Date.parse(points[points.length - 1]!.at);
  const maxY = Math.max(1, ...points.map((p) => Math.max(p.sent, p.matched ?? 0)));
  const x = (at: string) => (t1 === t0 ? PAD.left + (W - PAD.left - PAD.right) / 2 : PAD.left + ((Date.parse(at) - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (v: number) => H - PAD.bottom - (v / maxY) * (H - PAD.top - PAD.bottom);
  const sent = points.map((p) => `${x(p.at).toFixed(1)},${y(p.sent).toFixed(1)}`).join(' ');
  const matchedPts = points.filter((p) => p.matched !== null);
  const matched = matchedPts.map((p) => `${x(p.at).toFixed(1)},${y(p.matched ?? 0).toFixed(1)}`).join(' ');
  const last = points[points.length - 1]!;
  const summary = `Sent vs matched over ${fmtInt(points.length)} syncs. Latest: ${fmtInt(last.sent)} sent, ${last.matched === null ? 'not yet matched' : `${fmtInt(last.matched)} matched`}.`;
  // Points within two days of each other are told apart by their time, not just their date.
  const label = t1 - t0 < 2 * 86_400_000 ? fmtDateTime : fmtDate;
  const ticks = [0, 0.5, 1].map((f) => Math.round(maxY * f));

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        {ticks.map((v) => (
          <g key={v}>
            <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="chart-label" x={PAD.left - 8} y={y(v) + 4} textAnchor="end">
              {fmtInt(v)}
            </text>
          </g>
        ))}
        <text className="chart-label" x={PAD.left} y={H - 10} textAnchor="start">
          {label(points[0]!.at)}
        </text>
        {t1 !== t0 && (
          <text className="chart-label" x={W - PAD.right} y={H - 10} textAnchor="end">
            {label(last.at)}
          </text>
        )}
        <polyline className="chart-line chart-sent" points={sent} />
        {matchedPts.length > 0 && <polyline className="chart-line chart-matched" points={matched} />}
        {points.map((p) => (
          <circle key={`s${p.at}`} className="chart-dot chart-sent" cx={x(p.at)} cy={y(p.sent)} r={3.5} />
        ))}
        {matchedPts.map((p) => (
          <circle key={`m${p.at}`} className="chart-dot chart-matched" cx={x(p.at)} cy={y(p.matched ?? 0)} r={3.5} />
        ))}
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch chart-sent" aria-hidden="true" /> Sent (local size)
        </span>
        <span className="legend-item">
          <span className="legend-swatch chart-matched" aria-hidden="true" /> Matched at TikTok
        </span>
      </figcaption>
    </figure>
  );
}
