import { fmtInt } from '../app/format';
import { REJECT_REASON_TEXT } from '../../../shared/domain';
import type { RejectReason } from '../../../shared/domain';

/** Rejected rows counted by reason, most first, each with what to do about it. */
export function ReasonRows({ byReason }: { byReason: Partial<Record<RejectReason, number>> }) {
  const entries = (Object.entries(byReason) as [RejectReason, number][]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <p className="muted">No rows were rejected.</p>;
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">Reason</th>
          <th scope="col" className="num">
            Rows
          </th>
          <th scope="col">What to do</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([r, n]) => (
          <tr key={r}>
            <td>{REJECT_REASON_TEXT[r].label}</td>
            <td className="num">{fmtInt(n)}</td>
            <td className="muted">{REJECT_REASON_TEXT[r].explanation}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
