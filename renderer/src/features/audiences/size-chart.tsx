/** Sent (our local size) vs matched (TikTok's cover_num) over time, as inline SVG: no chart library. */
import { fmtDate, fmtDateTime, fmtInt } from '../../app/format';
import type { SizePoint } from '../../../../shared/ipc/dto';

const W = 640;
const H = 240;
const PAD = { left: 64, right: 16, top: 16, bottom: 36 };

/** Round-number ticks from 0 to at least `max` (steps of 1, 2, 2.5 or 5 × 10^k), about `count` of them. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Math.round(v * 100) / 100);
  return ticks;
}

/**
 * TikTok's matched count as a share of what was sent: "98 %"; null when either is unknown or nothing was sent, when
 * TikTok's count is above it (it has not caught up with a smaller audience: never a rate above 100 %), or when the
 * audience sends several values per person (sent counts values, TikTok counts people).
 */
export function matchRate(p: Pick<SizePoint, 'sent' | 'matched'>, valuesPerPerson = false): number | null {
  const r = p.matched === null || p.sent <= 0 || valuesPerPerson ? null : p.matched / p.sent;
  return r !== null && r > 1 ? null : r;
}

/** TikTok's count is above what was sent or the file's rows: it lags a smaller audience (right after an undo or erase). */
export function countAhead(p: SizePoint, valuesPerPerson = false): boolean {
  return p.matched !== null && ((!valuesPerPerson && p.sent > 0 && p.matched > p.sent) || (p.rows != null && p.rows > 0 && p.matched > p.rows));
}

/** Since when TikTok has shown the latest count: the first of the newest points with that same count. */
export function countSince(points: readonly SizePoint[]): string | null {
  const last = points[points.length - 1];
  if (!last) return null;
  let since = last.at;
  for (let i = points.length - 2; i >= 0 && points[i]!.matched === last.matched; i--) since = points[i]!.at;
  return since;
}

/**
 * The honest match rate: TikTok's matched count as a share of every row of the file synced by then, invalid rows
 * included; null when either is unknown.
 */
export function sourceMatchRate(p: Pick<SizePoint, 'rows' | 'matched'>): number | null {
  const r = p.matched === null || p.rows == null || p.rows <= 0 ? null : p.matched / p.rows;
  return r !== null && r > 1 ? null : r;
}

const pct = (r: number) => `${Math.round(r * 100)} %`;

/** One point's values in words: the hover title and the table row. */
export function pointText(p: SizePoint, valuesPerPerson = false): string {
  const r = matchRate(p, valuesPerPerson);
  const all = sourceMatchRate(p);
  return `${fmtDateTime(p.at)}: ${fmtInt(p.sent)} sent, ${p.matched === null ? 'not matched yet' : `${fmtInt(p.matched)} matched${r === null ? '' : ` (${pct(r)})`}`}${all === null ? '' : `, ${pct(all)} of all ${fmtInt(p.rows!)} rows`}`;
}

/** `valuesPerPerson`: the audience sends several values per person (one key from several columns), so no matched ÷ sent. */
export function SizeChart({ history, valuesPerPerson = false }: { history: SizePoint[]; valuesPerPerson?: boolean }) {
  const points = [...history].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (points.length === 0) return <p className="muted">No syncs yet: the chart fills in after the first one.</p>;
  const t0 = Date.parse(points[0]!.at);
  const t1 = Date.parse(points[points.length - 1]!.at);
  const ticks = niceTicks(Math.max(1, ...points.map((p) => Math.max(p.sent, p.matched ?? 0))));
  const maxY = ticks[ticks.length - 1]!;
  // One point sits in the middle; two or more spread over the width, with room at both ends for their dots.
  const inner = W - PAD.left - PAD.right;
  const x = (at: string) => (t1 === t0 ? PAD.left + inner / 2 : PAD.left + 12 + ((Date.parse(at) - t0) / (t1 - t0)) * (inner - 24));
  const y = (v: number) => H - PAD.bottom - (v / maxY) * (H - PAD.top - PAD.bottom);
  const sent = points.map((p) => `${x(p.at).toFixed(1)},${y(p.sent).toFixed(1)}`).join(' ');
  const matchedPts = points.filter((p) => p.matched !== null);
  const matched = matchedPts.map((p) => `${x(p.at).toFixed(1)},${y(p.matched ?? 0).toFixed(1)}`).join(' ');
  const last = points[points.length - 1]!;
  const rate = matchRate(last, valuesPerPerson);
  const ofRows = sourceMatchRate(last);
  const ahead = countAhead(last, valuesPerPerson);
  const syncs = points.length === 1 ? '1 sync' : `${fmtInt(points.length)} syncs`;
  const summary = `Sent vs matched over ${syncs}. Latest: ${fmtInt(last.sent)} sent, ${last.matched === null ? 'not yet matched' : `${fmtInt(last.matched)} matched`}${rate === null ? '' : `, match rate ${pct(rate)}`}.`;
  // Points within two days of each other are told apart by their time, not just their date.
  const label = t1 - t0 < 2 * 86_400_000 ? fmtDateTime : fmtDate;
  // With few points every one gets its date; with more, the first and the last.
  const xLabels = points.length <= 3 ? points : [points[0]!, last];

  return (
    <figure className="chart">
      <p className="chart-rate-line">
        {ahead ? (
          <span className="muted">{`Match rate not shown: TikTok has not updated its matched count since ${fmtDateTime(countSince(points)!)} (it still shows ${fmtInt(last.matched!)}, more than this audience holds now). It catches up within 24–48 hours.`}</span>
        ) : valuesPerPerson && last.matched !== null ? (
          <>
            {ofRows !== null && (
              <>
                Match rate <strong>{pct(ofRows)}</strong> <span className="muted">of all {fmtInt(last.rows!)} rows in the file, invalid rows included</span>
                {' · '}
              </>
            )}
            <span className="muted">{`TikTok counts people matched (${fmtInt(last.matched)}); this audience sends several values per person (${fmtInt(last.sent)} values), so no rate of values sent is given.`}</span>
          </>
        ) : rate === null ? (
          <span className="muted">Match rate: TikTok has not reported a matched count yet (it takes 24–48 hours).</span>
        ) : (
          <>
            Match rate <strong>{pct(rate)}</strong> <span className="muted">({fmtInt(last.matched)} of {fmtInt(last.sent)} sent)</span>
            {ofRows !== null && (
              <>
                {' · '}
                <strong>{pct(ofRows)}</strong> <span className="muted">of all {fmtInt(last.rows!)} rows in the file, invalid rows included</span>
              </>
            )}
          </>
        )}
      </p>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        {ticks.map((v) => (
          <g key={v}>
            <line className="chart-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="chart-label" x={PAD.left - 8} y={y(v) + 4} textAnchor="end">
              {fmtInt(v)}
            </text>
          </g>
        ))}
        {xLabels.map((p, i) => (
          <text key={`x${p.at}`} className="chart-label" x={x(p.at)} y={H - 10} textAnchor={xLabels.length === 1 ? 'middle' : i === 0 ? 'start' : i === xLabels.length - 1 ? 'end' : 'middle'}>
            {label(p.at)}
          </text>
        ))}
        {points.length > 1 && <polyline className="chart-line chart-sent" points={sent} />}
        {matchedPts.length > 1 && <polyline className="chart-line chart-matched" points={matched} />}
        {points.map((p) => (
          <circle key={`s${p.at}`} className="chart-dot chart-sent" cx={x(p.at)} cy={y(p.sent)} r={points.length <= 2 ? 5 : 3.5}>
            <title>{pointText(p, valuesPerPerson)}</title>
          </circle>
        ))}
        {matchedPts.map((p) => (
          <circle key={`m${p.at}`} className="chart-dot chart-matched" cx={x(p.at)} cy={y(p.matched ?? 0)} r={points.length <= 2 ? 5 : 3.5}>
            <title>{pointText(p, valuesPerPerson)}</title>
          </circle>
        ))}
        {points.length <= 2 &&
          matchedPts.map((p) => {
            const r = matchRate(p, valuesPerPerson);
            return r === null ? null : (
              <text key={`r${p.at}`} className="chart-rate" x={x(p.at) + 9} y={y(p.matched ?? 0) + 16} textAnchor={x(p.at) > W - 90 ? 'end' : 'start'}>
                {pct(r)} matched
              </text>
            );
          })}
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-item">
          <span className="legend-swatch chart-sent" aria-hidden="true" /> Sent (local size)
        </span>
        <span className="legend-item">
          <span className="legend-swatch chart-matched" aria-hidden="true" /> Matched at TikTok
        </span>
        {points.length === 1 && <span className="muted small">One sync so far: the lines start with the next one.</span>}
      </figcaption>
    </figure>
  );
}
