import type { ReactNode } from 'react';

/** One figure of a list of figures (`<dl className="stats">`, the dry run's recap): its label, its value, and an optional note under it. */
export function Stat({ label, children, className, note }: { label: ReactNode; children: ReactNode; className?: string; note?: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={className}>{children}</dd>
      {note}
    </div>
  );
}
