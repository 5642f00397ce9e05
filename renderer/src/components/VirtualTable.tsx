import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/*
 * A keyboard-driven virtualised table (@tanstack/react-virtual): only the rows in view are in the DOM,
 * so 100,000 accounts or entries scroll smoothly. Rows may be loaded lazily: `row(i)` returns undefined
 * while its page is on its way and the table asks for the range it shows.
 */

export interface Column<T> {
  id: string;
  header: string;
  /** A CSS grid track: "9rem", "minmax(10rem, 1fr)". */
  width: string;
  align?: 'left' | 'right';
  render(row: T, index: number): ReactNode;
  /** Sortable header: the current direction when this column sorts, and what a click does. */
  sort?: { direction: 'asc' | 'desc' | null; onToggle(): void };
}

export interface VirtualTableProps<T> {
  ariaLabel: string;
  rowCount: number;
  row(index: number): T | undefined;
  columns: Column<T>[];
  /** CSS height of the scrolling body. */
  height: string;
  rowHeight?: number;
  onRangeChange?(start: number, end: number): void;
  /** Enter or double-click on a row. */
  onActivate?(row: T, index: number): void;
  rowClassName?(row: T): string;
  testId?: string;
  /** Shown in place of rows when rowCount is 0. */
  empty?: ReactNode;
}

export function VirtualTable<T>(props: VirtualTableProps<T>) {
  const { rowCount, columns, rowHeight = 34 } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const id = useId();
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    // Sensible first render before the scroller is measured (and in tests without layout).
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? -1;
  const { onRangeChange } = props;

  useEffect(() => {
    if (last >= first) onRangeChange?.(first, last + 1);
  }, [first, last, onRangeChange]);

  useEffect(() => {
    if (active >= rowCount) setActive(Math.max(0, rowCount - 1));
  }, [rowCount, active]);

  const template = columns.map((column) => column.width).join(' ');
  // Narrow windows scroll sideways instead of hiding columns.
  const minWidth = `${columns.reduce((sum, column) => sum + minRem(column.width), 0)}rem`;

  const move = (to: number): void => {
    const next = Math.max(0, Math.min(rowCount - 1, to));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (rowCount === 0) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? 600) / rowHeight) - 1);
    switch (event.key) {
      case 'ArrowDown':
        move(active + 1);
        break;
      case 'ArrowUp':
        move(active - 1);
        break;
      case 'PageDown':
        move(active + page);
        break;
      case 'PageUp':
        move(active - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rowCount - 1);
        break;
      case 'Enter': {
        const row = props.row(active);
        if (row !== undefined) props.onActivate?.(row, active);
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <div className="vtable" data-testid={props.testId}>
      {/*
        The header stays outside the scroller so it never scrolls away; outside the grid, ARIA allows no
        column headers there (axe), so it is plain text, and each sort button says its column's order.
      */}
      <div className="vtable-head" style={{ gridTemplateColumns: template, minWidth }}>
        {columns.map((column) => (
          <div key={column.id} className={`vtable-cell ${column.align === 'right' ? 'right' : ''}`} data-sort={sortLabel(column)}>
            {column.sort ? (
              <button
                type="button"
                className="sort-button"
                onClick={column.sort.onToggle}
                title={`Sort by ${column.header}`}
                aria-label={`${column.header}${column.sort.direction === null ? '' : `, sorted ${sortLabel(column)}`}`}
              >
                {column.header}
                <span aria-hidden="true" className="sort-mark">
                  {column.sort.direction === 'asc' ? ' ▲' : column.sort.direction === 'desc' ? ' ▼' : ''}
                </span>
              </button>
            ) : (
              column.header
            )}
          </div>
        ))}
      </div>
      <div
        ref={scroller}
        className="vtable-body"
        style={{ height: props.height, minWidth }}
        role="grid"
        aria-label={props.ariaLabel}
        aria-rowcount={rowCount}
        aria-activedescendant={rowCount > 0 ? `${id}-row-${active}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
      >
        {rowCount === 0 && props.empty !== undefined ? (
          <div className="vtable-empty">{props.empty}</div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const row = props.row(item.index);
              const classes = ['vtable-row', item.index === active ? 'active' : '', item.index % 2 === 1 ? 'odd' : '', row !== undefined ? (props.rowClassName?.(row) ?? '') : 'loading-row'];
              return (
                <div
                  key={item.key}
                  id={`${id}-row-${item.index}`}
                  role="row"
                  aria-rowindex={item.index + 1}
                  aria-selected={item.index === active}
                  className={classes.join(' ')}
                  style={{ gridTemplateColumns: template, height: item.size, transform: `translateY(${item.start}px)` }}
                  onClick={() => setActive(item.index)}
                  onMouseDown={(event) => {
                    // A double-click opens the row; it should not also select a word.
                    if (event.detail > 1) event.preventDefault();
                  }}
                  onDoubleClick={() => row !== undefined && props.onActivate?.(row, item.index)}
                >
                  {row === undefined ? (
                    <div className="vtable-cell muted" role="gridcell">
                      Loading…
                    </div>
                  ) : (
                    columns.map((column) => (
                      <div key={column.id} role="gridcell" className={`vtable-cell ${column.align === 'right' ? 'right' : ''}`}>
                        {column.render(row, item.index)}
                      </div>
                    ))
                  )}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

/** The smallest width a grid track asks for, in rem ("9rem" → 9, "minmax(10rem, 1fr)" → 10). */
function minRem(track: string): number {
  const match = /(\d+(?:\.\d+)?)rem/.exec(track);
  return match === null ? 4 : Number(match[1]);
}

function sortLabel<T>(column: Column<T>): 'ascending' | 'descending' | 'none' | undefined {
  if (column.sort === undefined) return undefined;
  return column.sort.direction === 'asc' ? 'ascending' : column.sort.direction === 'desc' ? 'descending' : 'none';
}
