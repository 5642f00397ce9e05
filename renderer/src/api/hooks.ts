// Small data hooks over `call`: one reply per set of inputs; stale replies are dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiCallError } from './client';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** Runs `load` whenever `key` changes; a reply to an older key never overwrites a newer one. */
export function useLoad<T>(key: string, load: () => Promise<T>, enabled = true): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: enabled });
  const current = useRef(key);
  current.current = key;
  useEffect(() => {
    if (!enabled) return;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => {
        if (current.current === key) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (current.current === key) setState({ data: null, error: errorMessage(error), loading: false });
      },
    );
    // `key` stands for everything load reads.
  }, [key, enabled]);
  return state;
}

/** The message to show; code quoting (backticks, meant for a terminal) is dropped on screen. */
export function errorMessage(error: unknown): string {
  const message = error instanceof ApiCallError || error instanceof Error ? error.message : String(error);
  return message.replace(/`/g, '');
}

export interface PagedRows<T> {
  total: number | null;
  /** The row at `index`, or undefined while its page loads. */
  row(index: number): T | undefined;
  /** Loads the pages covering [start, end). */
  ensure(start: number, end: number): void;
  error: string | null;
  /** True once the first page arrived. */
  ready: boolean;
}

/**
 * Rows of a server-paged list, loaded a page at a time as the table scrolls. Everything resets when `key`
 * (the query) changes.
 */
export function usePagedRows<T>(
  key: string,
  fetchPage: (offset: number, limit: number) => Promise<{ total: number; rows: T[] }>,
  pageSize = 200,
  enabled = true,
): PagedRows<T> {
  const pages = useRef(new Map<number, T[]>());
  const pending = useRef(new Set<number>());
  const generation = useRef(0);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, setVersion] = useState(0);

  const loadPage = useCallback(
    (page: number) => {
      if (pages.current.has(page) || pending.current.has(page)) return;
      const mine = generation.current;
      pending.current.add(page);
      fetchPage(page * pageSize, pageSize).then(
        (reply) => {
          if (generation.current !== mine) return;
          pending.current.delete(page);
          pages.current.set(page, reply.rows);
          setTotal(reply.total);
          setVersion((v) => v + 1);
        },
        (failure: unknown) => {
          if (generation.current !== mine) return;
          pending.current.delete(page);
          setError(errorMessage(failure));
        },
      );
    },
    // `key` stands for everything fetchPage reads.
    [key, pageSize],
  );

  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    pending.current = new Set();
    setTotal(null);
    setError(null);
    setVersion((v) => v + 1);
    if (enabled) loadPage(0);
  }, [key, enabled, loadPage]);

  return {
    total,
    error,
    ready: total !== null,
    row: (index) => pages.current.get(Math.floor(index / pageSize))?.[index % pageSize],
    ensure: (start, end) => {
      if (!enabled) return;
      for (let page = Math.floor(start / pageSize); page <= Math.floor(Math.max(start, end - 1) / pageSize); page++) loadPage(page);
    },
  };
}
