// @vitest-environment jsdom
/**
 * The honest match rate on the sent-vs-matched chart (#14 §2): beside matched ÷ sent, matched ÷ every row of the file
 * synced by then (invalid rows included), as a second figure; not shown when the rows are unknown.
 */
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SizeChart, matchRate, pointText, sourceMatchRate } from '../../../renderer/src/features/audiences/size-chart';
import { fmtDateTime } from '../../../renderer/src/app/format';
import './setup';

describe('the chart\'s second match rate', () => {
  it('shows matched ÷ sent and matched ÷ all rows of the file, in the rate line and in each point\'s words', () => {
    const { container } = render(
      <SizeChart
        history={[
          { at: '2026-11-23T06:00:00Z', sent: 1000, matched: 700, rows: 1400 },
          { at: '2026-11-24T06:00:00Z', sent: 1200, matched: 960, rows: 1500 },
        ]}
      />,
    );
    const line = container.querySelector('.chart-rate-line')!;
    expect(line.textContent).toMatch(/Match rate 80 % \(960 of 1,200 sent\) · 64 % of all 1,500 rows in the file, invalid rows included/);
    expect([...container.querySelectorAll('title')].map((t) => t.textContent).join('\n')).toMatch(/960 matched \(80 %\), 64 % of all 1,500 rows/);
    expect(pointText({ at: '2026-11-24T06:00:00Z', sent: 1200, matched: 960, rows: 1500 })).toMatch(/, 64 % of all 1,500 rows$/);
  });

  it('without the file\'s rows (older points) only matched ÷ sent is shown', () => {
    const { container } = render(<SizeChart history={[{ at: '2026-11-24T06:00:00Z', sent: 1200, matched: 960 }]} />);
    expect(container.querySelector('.chart-rate-line')!.textContent).toBe('Match rate 80 % (960 of 1,200 sent)');
    expect(screen.queryByText(/rows in the file/)).toBeNull();
    expect(sourceMatchRate({ matched: null, rows: 1500 })).toBeNull();
    expect(sourceMatchRate({ matched: 960, rows: 0 })).toBeNull();
  });

  it('never shows a rate above 100 %: a count TikTok has not updated since the audience got smaller says so, with since when', () => {
    const { container } = render(
      <SizeChart
        history={[
          { at: '2026-11-23T06:00:00Z', sent: 5000, matched: 4000, rows: 5000 },
          { at: '2026-11-24T06:00:00Z', sent: 5000, matched: 4800, rows: 5000 },
          { at: '2026-11-24T12:00:00Z', sent: 3000, matched: 4800, rows: 3000 },
        ]}
      />,
    );
    const line = container.querySelector('.chart-rate-line')!.textContent!;
    expect(line).toMatch(/^Match rate not shown: TikTok has not updated its matched count since .+ \(it still shows 4,800, more than this audience holds now\)/);
    // Since the first check that showed 4,800 (not the latest one).
    expect(line).toContain(`since ${fmtDateTime('2026-11-24T06:00:00Z')} (`);
    expect(container.textContent).not.toMatch(/1\d\d %/);
    expect(matchRate({ sent: 3000, matched: 4800 })).toBeNull();
    expect(sourceMatchRate({ rows: 3000, matched: 4800 })).toBeNull();
  });

  it('an audience sending several values per person shows matched against the file\'s rows (people), not against values sent', () => {
    const { container } = render(<SizeChart valuesPerPerson history={[{ at: '2026-11-24T06:00:00Z', sent: 1400, matched: 960, rows: 1200 }]} />);
    const line = container.querySelector('.chart-rate-line')!.textContent!;
    expect(line).toBe('Match rate 80 % of all 1,200 rows in the file, invalid rows included · TikTok counts people matched (960); this audience sends several values per person (1,400 values), so no rate of values sent is given.');
    expect(container.textContent).not.toMatch(/69 %/);
  });
});
