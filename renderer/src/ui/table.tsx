/**
 * A data grid that renders only the rows in view (fixed row height, hand-written windowing), with keyboard
 * navigation: arrows, Home/End, PageUp/PageDown move the active row; Enter or Space activates it.
 * The viewport height is a prop, not a measurement, so windowing is deterministic (and testable in jsdom).
 */
import { useEffect, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

export interface Column<T> {
  id: string;
  header: string;
  /** A CSS grid track, e.g. "minmax(10rem, 2fr)" or "8rem". */
  width: string;
  render(row: T): ReactNode;
  align?: 'start' | 'end';
}

export interface TableProps<T> {
  label: string;
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey(row: T): string | number;
  onActivate?(row: T): void;
  /** The row shown as selected (aria-selected). */
  selectedKey?: string | number | null;
  rowHeight?: number;
  /** The tallest the scrolling body grows before it scrolls, px. */
  maxHeight?: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan?: number;
  /** Narrower than this, the grid scrolls sideways (header and rows together) instead of squeezing columns. */
  minWidth?: string;
}

export function Table<T>({ label, rows, columns, rowKey, onActivate, selectedKey = null, rowHeight = 44, maxHeight = 520, overscan = 6, minWidth = '40rem' }: TableProps<T>) {
  const [scrollTop, setScrollTop] = useState(0);
  const [active, setActive] = useState(0);
  const [focusWanted, setFocusWanted] = useState(false);
  const bodyRef = useRef<HTMLDivElement>(null);
  const template = columns.map((c) => c.width).join(' ');

  const total = rows.length * rowHeight;
  const viewport = Math.min(total, maxHeight);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const activeIndex = Math.min(active, Math.max(0, rows.length - 1));

  // After a keyboard move the active row may just have been rendered: focus it then.
  useEffect(() => {
    if (!focusWanted) return;
    const el = bodyRef.current?.querySelector<HTMLElement>(`[data-row-index="${activeIndex}"]`);
    el?.focus({ preventScroll: true });
    setFocusWanted(false);
  }, [focusWanted, activeIndex, first, last]);

  function moveTo(index: number) {
    if (rows.length === 0) return;
    const i = Math.max(0, Math.min(rows.length - 1, index));
    setActive(i);
    const body = bodyRef.current;
    const top = i * rowHeight;
    let nextTop = scrollTop;
    if (top < scrollTop) nextTop = top;
    else if (top + rowHeight > scrollTop + viewport) nextTop = top + rowHeight - viewport;
    if (nextTop !== scrollTop) {
      setScrollTop(nextTop);
      if (body) body.scrollTop = nextTop;
    }
    setFocusWanted(true);
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    // Keys typed into a control inside a row (a button, an input) belong to that control.
    if (e.target instanceof HTMLElement && !e.target.hasAttribute('data-row-index')) return;
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => moveTo(activeIndex + 1),
      ArrowUp: () => moveTo(activeIndex - 1),
      Home: () => moveTo(0),
      End: () => moveTo(rows.length - 1),
      PageDown: () => moveTo(activeIndex + page),
      PageUp: () => moveTo(activeIndex - page),
      Enter: () => {
        const row = rows[activeIndex];
        if (row && onActivate) onActivate(row);
      },
      ' ': () => {
        const row = rows[activeIndex];
        if (row && onActivate) onActivate(row);
      },
    };
    const fn = keys[e.key];
    if (fn) {
      e.preventDefault();
      fn();
    }
  }

  const visible = [];
  for (let i = first; i < last; i++) {
    const row = rows[i]!;
    const key = rowKey(row);
    visible.push(
      <div
        key={key}
        role="row"
        className={`grid-row ${key === selectedKey ? 'grid-row-selected' : ''} ${onActivate ? 'grid-row-clickable' : ''}`}
        aria-rowindex={i + 2}
        aria-selected={onActivate ? key === selectedKey : undefined}
        data-row-index={i}
        tabIndex={i === activeIndex ? 0 : -1}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight, gridTemplateColumns: template }}
        onClick={(e) => {
          setActive(i);
          // A click on a button inside the row is that button's, not the row's.
          if (onActivate && !(e.target instanceof HTMLElement && e.target.closest('button, a, input, select'))) onActivate(row);
        }}
        onFocus={(e) => {
          if (e.target === e.currentTarget) setActive(i);
        }}
      >
        {columns.map((c) => (
          <div key={c.id} role="gridcell" className={`grid-cell ${c.align === 'end' ? 'grid-cell-end' : ''}`}>
            {c.render(row)}
          </div>
        ))}
      </div>,
    );
  }

  return (
    <div className="grid-scroll">
      <div className="grid" style={{ minWidth }} role="grid" aria-label={label} aria-rowcount={rows.length + 1} aria-colcount={columns.length} onKeyDown={onKeyDown}>
        <div role="rowgroup" className="grid-head">
          <div role="row" aria-rowindex={1} className="grid-row grid-header-row" style={{ gridTemplateColumns: template }}>
            {columns.map((c) => (
              <div key={c.id} role="columnheader" className={`grid-cell ${c.align === 'end' ? 'grid-cell-end' : ''}`}>
                {c.header}
              </div>
            ))}
          </div>
        </div>
        <div role="rowgroup" className="grid-body" ref={bodyRef} style={{ height: viewport }} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
          <div className="grid-spacer" style={{ height: total }}>
            {visible}
          </div>
        </div>
      </div>
    </div>
  );
}
