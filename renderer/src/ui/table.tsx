/**
 * A data grid that renders only the rows in view (fixed row height, hand-written windowing), with keyboard
 * navigation: arrows, Home/End, PageUp/PageDown move the active row; Enter or Space activates it.
 * The viewport height is a prop, not a measurement, so windowing is deterministic (and testable in jsdom).
 * Columns with `hideBelow` collapse when the table is narrower than that, so names, state and actions stay in view
 * without sideways scrolling at 1024 px; a cell that carries a collapsed column's facts asks `hidden` (see render).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';

export interface Column<T> {
  id: string;
  header: string;
  /** A CSS grid track, e.g. "minmax(10rem, 2fr)" or "8rem". */
  width: string;
  /** `hidden`: the ids of the columns collapsed at the current width, so another cell can show what they held. */
  render(row: T, hidden: ReadonlySet<string>): ReactNode;
  align?: 'start' | 'end';
  /** Collapsed while the table is narrower than this many px (measured; jsdom and a first paint show every column). */
  hideBelow?: number;
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
  const scrollRef = useRef<HTMLDivElement>(null);
  const width = useWidth(scrollRef);
  const hidden = new Set(columns.filter((c) => c.hideBelow !== undefined && width > 0 && width < c.hideBelow).map((c) => c.id));
  const shown = hidden.size === 0 ? columns : columns.filter((c) => !hidden.has(c.id));
  const template = shown.map((c) => c.width).join(' ');

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
        {shown.map((c) => (
          <div key={c.id} role="gridcell" className={`grid-cell ${c.align === 'end' ? 'grid-cell-end' : ''}`}>
            {c.render(row, hidden)}
          </div>
        ))}
      </div>,
    );
  }

  return (
    <div className="grid-scroll" ref={scrollRef}>
      <div className="grid" style={{ minWidth }} role="grid" aria-label={label} aria-rowcount={rows.length + 1} aria-colcount={shown.length} onKeyDown={onKeyDown}>
        <div role="rowgroup" className="grid-head">
          <div role="row" aria-rowindex={1} className="grid-row grid-header-row" style={{ gridTemplateColumns: template }}>
            {shown.map((c) => (
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

/** The element's content width in px, kept current as it resizes; 0 where it cannot be measured (jsdom). */
function useWidth(ref: { current: HTMLElement | null }): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}
