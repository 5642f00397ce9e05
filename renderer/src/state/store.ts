// App-wide state: what the host told us, the as-of instant every screen asks at, job progress, and a
// data version that bumps when the database changes (screens refetch). Screens keep their own replies.
import { create } from 'zustand';
import type { AppInfo, HostEvent, JobStatus } from '../../../core/api/types';
import { fromAsOfInput } from '../format';
import { AS_OF_PARAM, hashParams, parseRoute, pushAsOf, setLinkAsOf, type Route } from './route';

type JobLight = Extract<HostEvent, { type: 'job' }>['job'];

export interface AppState {
  info: AppInfo | null;
  infoError: string | null;
  route: Route;
  /** null: now (each answer says which instant it used). */
  asOf: string | null;
  dataVersion: number;
  jobs: Record<string, JobLight | JobStatus>;
  shortcutsOpen: boolean;
  setInfo(info: AppInfo | null, error?: string | null): void;
  setRoute(route: Route): void;
  /** A new as-of instant, written to the address too (a history entry: Back returns to the previous one). */
  setAsOf(asOf: string | null): void;
  /** The address changed (a link, Back, Forward): its route and as-of instant become the app's. */
  syncFromUrl(hash: string): void;
  dataChanged(): void;
  jobUpdated(job: JobLight | JobStatus): void;
  setShortcutsOpen(open: boolean): void;
}

/** The as-of instant an address names, or null (now) when it names none or an unreadable one. */
export function asOfFromHash(hash: string): string | null {
  const text = hashParams(hash).get(AS_OF_PARAM);
  return text === null ? null : fromAsOfInput(text);
}

const initialAsOf = asOfFromHash(window.location.hash);
setLinkAsOf(initialAsOf);

export const useApp = create<AppState>()((set) => ({
  info: null,
  infoError: null,
  route: parseRoute(window.location.hash),
  asOf: initialAsOf,
  dataVersion: 0,
  jobs: {},
  shortcutsOpen: false,
  setInfo: (info, error = null) => set({ info, infoError: error }),
  setRoute: (route) => set({ route }),
  setAsOf: (asOf) => {
    setLinkAsOf(asOf);
    set({ asOf });
    pushAsOf(asOf);
  },
  syncFromUrl: (hash) => {
    const asOf = asOfFromHash(hash);
    setLinkAsOf(asOf);
    set({ route: parseRoute(hash), asOf });
  },
  dataChanged: () => set((state) => ({ dataVersion: state.dataVersion + 1 })),
  jobUpdated: (job) => set((state) => ({ jobs: { ...state.jobs, [job.job_id]: { ...state.jobs[job.job_id], ...job } } })),
  setShortcutsOpen: (open) => set({ shortcutsOpen: open }),
}));

/** The as_of key for a request: omitted for "now". */
export function asOfParam(asOf: string | null): { as_of?: string } {
  return asOf === null ? {} : { as_of: asOf };
}
