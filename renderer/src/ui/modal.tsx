import { useEffect, useId, useRef } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { createPortal } from 'react-dom';

/**
 * A modal dialog: focus goes in (the first field or enabled button), stays in (Tab wraps), Escape cancels, and focus
 * returns to what opened it. `actions` (buttons) sit at the bottom.
 */
export function Modal({ title, onCancel, children, actions }: { title: string; onCancel: () => void; children: ReactNode; actions?: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const titleId = useId();
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>('input, button:not(:disabled)')?.focus();
    return () => back?.focus?.();
  }, []);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
      return;
    }
    if (e.key !== 'Tab') return;
    const all = [...(box.current?.querySelectorAll<HTMLElement>('input:not(:disabled), button:not(:disabled)') ?? [])];
    if (all.length === 0) return;
    const first = all[0]!;
    const last = all[all.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return createPortal(
    // Events in a portal still bubble through React's tree: a click here is not a click on what lies behind it.
    <div className="modal-backdrop" onClick={(e) => e.stopPropagation()}>
      <div ref={box} role="dialog" aria-modal="true" aria-labelledby={titleId} className="modal card" onKeyDown={onKey}>
        <h2 id={titleId}>{title}</h2>
        {children}
        {actions && <div className="actions modal-actions">{actions}</div>}
      </div>
    </div>,
    document.body,
  );
}
