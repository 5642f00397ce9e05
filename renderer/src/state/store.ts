// App-wide state: what the host told us, the as-of instant every screen asks at, job progress, and a
// data version that bumps when the database changes (screens refetch). Screens keep their own replies.
import { create } from 'zustand';
import type { AppInfo, HostEvent, JobStatus } from '../../../core/api/types';
import { parseRoute, type Route } from './route';

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
  setAsOf(asOf: string | null): void;
  dataChanged(): void;
  jobUpdated(job: JobLight | JobStatus): void;
  setShortcutsOpen(open: boolean): void;
}

export const useApp = create<AppState>()((set) => ({
  info: null,
  infoError: null,
  route: parseRoute(window.location.hash),
  asOf: null,
  dataVersion: 0,
  jobs: {},
  shortcutsOpen: false,
  setInfo: (info, error = null) => set({ info, infoError: error }),
  setRoute: (route) => set({ route }),
  setAsOf: (asOf) => set({ asOf }),
  dataChanged: () => set((state) => ({ dataVersion: state.dataVersion + 1 })),
  jobUpdated: (job) => set((state) => ({ jobs: { ...state.jobs, [job.job_id]: { ...state.jobs[job.job_id], ...job } } })),
  setShortcutsOpen: (open) => set({ shortcutsOpen: open }),
}));

/** The as_of key for a request: omitted for "now". */
export function asOfParam(asOf: string | null): { as_of?: string } {
  return asOf === null ? {} : { as_of: asOf };
}
