import { useEffect, useId, useRef } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { createPortal } from 'react-dom';

/**
 * A modal dialog: focus goes in (the first field or enabled button), stays in (Tab wraps), Escape cancels, and focus
 * returns to what opened it. `actions` (buttons) sit at the bottom. While every control is disabled (it is sending),
 * focus rests on the dialog itself and Tab keeps it there; once they are enabled again, focus goes back to the control
 * that had it (else the first one).
 */
/** The controls focus can move between inside a dialog. */
const ENABLED = 'input:not(:disabled), button:not(:disabled)';

export function Modal({ title, onCancel, children, actions }: { title: string; onCancel: () => void; children: ReactNode; actions?: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const titleId = useId();
  /** The control inside that last had focus: it gets it back when the controls are enabled again. */
  const lastFocus = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    box.current?.querySelector<HTMLElement>('input, button:not(:disabled)')?.focus();
    return () => back?.focus?.();
  }, []);
  // After every render: a control that had focus and was disabled (a browser drops its focus to <body>) hands focus
  // to the dialog; when the dialog holds it and a control is enabled again, focus goes back to a control.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const active = document.activeElement;
    const lost = active === null || active === document.body || (el.contains(active) && (active as HTMLElement).matches(':disabled'));
    if (!lost && active !== el) return;
    const enabled = el.querySelector<HTMLElement>(ENABLED);
    const last = lastFocus.current;
    const target = !enabled ? el : last && el.contains(last) && last.matches(ENABLED) ? last : enabled;
    if (target !== active) target.focus();
  });
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
      return;
    }
    if (e.key !== 'Tab') return;
    const all = [...(box.current?.querySelectorAll<HTMLElement>(ENABLED) ?? [])];
    if (all.length === 0) {
      // Nothing to move to while it is sending: focus stays on the dialog.
      e.preventDefault();
      box.current?.focus();
      return;
    }
    const first = all[0]!;
    const last = all[all.length - 1]!;
    if (document.activeElement === box.current) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    } else if (e.shiftKey && document.activeElement === first) {
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
      <div
        ref={box}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="modal card"
        tabIndex={-1}
        onKeyDown={onKey}
        onFocus={(e) => {
          if (e.target !== box.current) lastFocus.current = e.target;
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
        {actions && <div className="actions modal-actions">{actions}</div>}
      </div>
    </div>,
    document.body,
  );
}
