// The import in progress: chosen files, their upload, the preview and the run. Kept outside the screen
// so a long import keeps going (and shows its progress) while the user looks elsewhere.
import { create } from 'zustand';
import type { JobStatus, SourceFormatName, Upload } from '../../../core/api/types';
import { call } from '../api/client';
import { errorMessage } from '../api/hooks';
import { useApp } from './store';

export type ImportPhase = 'idle' | 'reading' | 'previewing' | 'previewed' | 'importing' | 'done';

export interface ImportState {
  phase: ImportPhase;
  upload: Upload | null;
  source: SourceFormatName | '';
  unit: string;
  preview: JobStatus | null;
  run: JobStatus | null;
  error: string | null;
  /** The menu asked for the file dialog before the screen was shown. */
  pickRequested: boolean;
  setOptions(options: { source?: SourceFormatName | ''; unit?: string }): void;
  chooseFiles(files: File[]): Promise<void>;
  pickOnHost(): Promise<void>;
  startPreview(): Promise<void>;
  startRun(): Promise<void>;
  cancel(): Promise<void>;
  reset(): void;
  setPickRequested(requested: boolean): void;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Follows a job to its end: host events move the progress bar; this poll is the safety net and fetches the result. */
async function follow(job: JobStatus, update: (job: JobStatus) => void): Promise<JobStatus> {
  let current = job;
  while (!TERMINAL.has(current.state)) {
    await new Promise((resolve) => setTimeout(resolve, 400));
    const pushed = useApp.getState().jobs[current.job_id];
    if (pushed !== undefined && pushed.state === 'running') update({ ...current, progress: pushed.progress });
    current = await call('jobs.get', { job_id: current.job_id });
    update(current);
  }
  return current;
}

function options(state: ImportState): { source?: SourceFormatName; unit?: string } {
  return { ...(state.source === '' ? {} : { source: state.source }), ...(state.unit.trim() === '' ? {} : { unit: state.unit.trim() }) };
}


/**
 * A chosen file as the upload carries it: its text when it is valid UTF-8 (the usual case), else its bytes,
 * so that the host's one decoder reads UTF-16 or names the first bad byte (never replacement characters).
 */
async function uploadContents(file: File): Promise<{ name: string; text: string; bytes_base64?: string }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (!utf16) {
    try {
      return { name: file.name, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      // not UTF-8: the bytes go as they are
    }
  }
  let binary = '';
  const CHUNK = 0x8000;
  for (let at = 0; at < bytes.length; at += CHUNK) binary += String.fromCharCode(...bytes.subarray(at, at + CHUNK));
  return { name: file.name, text: '', bytes_base64: btoa(binary) };
}

export const useImport = create<ImportState>()((set, get) => ({
  phase: 'idle',
  upload: null,
  source: '',
  unit: '',
  preview: null,
  run: null,
  error: null,
  pickRequested: false,
  setOptions: (next) => {
    set(next);
    if (get().upload !== null && get().phase === 'previewed') void get().startPreview();
  },
  chooseFiles: async (files) => {
    if (files.length === 0) return;
    set({ phase: 'reading', upload: null, preview: null, run: null, error: null });
    try {
      // File contents go to the host, never a path (DESIGN §9).
      const contents = await Promise.all(files.map(uploadContents));
      const upload = await call('import.upload', { files: contents });
      set({ upload });
      await get().startPreview();
    } catch (error) {
      set({ phase: 'idle', error: errorMessage(error) });
    }
  },
  pickOnHost: async () => {
    try {
      const upload = await call('import.pick', {});
      if (upload === null) return;
      set({ upload, preview: null, run: null, error: null });
      await get().startPreview();
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  startPreview: async () => {
    const upload = get().upload;
    if (upload === null) return;
    set({ phase: 'previewing', error: null, run: null });
    try {
      const started = await call('import.preview', { upload_id: upload.upload_id, ...options(get()) });
      set({ preview: started });
      const done = await follow(started, (job) => set({ preview: job }));
      set({ preview: done, phase: done.state === 'succeeded' ? 'previewed' : 'idle', error: done.error });
    } catch (error) {
      set({ phase: 'idle', error: errorMessage(error) });
    }
  },
  startRun: async () => {
    const upload = get().upload;
    if (upload === null) return;
    set({ phase: 'importing', error: null });
    try {
      const started = await call('import.run', { upload_id: upload.upload_id, ...options(get()) });
      set({ run: started });
      const done = await follow(started, (job) => set({ run: job }));
      set({ run: done, phase: done.state === 'succeeded' ? 'done' : 'previewed', error: done.error });
    } catch (error) {
      set({ phase: 'previewed', error: errorMessage(error) });
    }
  },
  cancel: async () => {
    const job = get().phase === 'importing' ? get().run : get().preview;
    if (job === null) return;
    try {
      await call('jobs.cancel', { job_id: job.job_id });
    } catch (error) {
      set({ error: errorMessage(error) });
    }
  },
  reset: () => set({ phase: 'idle', upload: null, preview: null, run: null, error: null }),
  setPickRequested: (requested) => set({ pickRequested: requested }),
}));
