// The reconciliation in progress and the run on screen. Kept outside the screen so a long run keeps going
// (and the screen finds its result) while the user looks elsewhere.
import { create } from 'zustand';
import type { JobStatus } from '../../../core/api/types';
import { call } from '../api/client';
import { errorMessage } from '../api/hooks';
import { asOfParam, useApp } from './store';

export interface ReconcileState {
  /** The run shown; null: the newest. */
  runId: string | null;
  job: JobStatus | null;
  error: string | null;
  /** Bumps when the runs or their adjustments change (screen refetches). */
  version: number;
  selectRun(runId: string | null): void;
  startRun(): Promise<void>;
  changed(): void;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export const useReconcile = create<ReconcileState>()((set, get) => ({
  runId: null,
  job: null,
  error: null,
  version: 0,
  selectRun: (runId) => set({ runId }),
  changed: () => set((state) => ({ version: state.version + 1 })),
  startRun: async () => {
    if (get().job?.state === 'running') return;
    set({ error: null });
    try {
      let job = await call('reconcile.run', asOfParam(useApp.getState().asOf));
      set({ job });
      // Host events say when it ends; this poll is the safety net and fetches the saved run.
      while (!TERMINAL.has(job.state)) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        job = await call('jobs.get', { job_id: job.job_id });
      }
      set({ job, error: job.error, runId: job.reconcile?.run_id ?? get().runId });
      get().changed();
    } catch (error) {
      set({ error: errorMessage(error), job: null });
    }
  },
}));
