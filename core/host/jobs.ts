import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Handlers, MethodInput } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { HostEvent, JobKind, JobProgress, JobStatus, ReconciliationSettings, Upload } from '../api/types.js';
import { formatInstant, type Instant } from '../time/instant.js';
import type { JobFile, JobOutcome } from './import-job.js';
import { runJob, type JobRequest } from './run-job.js';

/*
 * Uploads waiting to be previewed or imported, and the jobs that do it off the host's main thread
 * (a worker thread per job), with progress pushed as HostEvents and cancellation on request.
 */

/** Runs one job; resolves with its outcome. `cancelFlag[0] = 1` asks it to stop at its next step. */
export type JobExecutor = (request: JobRequest, onProgress: (progress: JobProgress) => void, cancelFlag: Int32Array) => Promise<JobOutcome>;

/** The job in this thread, after the current event-loop turn (tests; the worker is the real thing). */
export const inlineExecutor: JobExecutor = (request, onProgress, cancelFlag) =>
  new Promise((resolve) => setImmediate(() => resolve(runJob(request, onProgress, () => Atomics.load(cancelFlag, 0) === 1))));

/** Data a job worker receives; core/host/job-worker.ts runs it when it sees `ledgerscopeJob`. */
export interface JobWorkerData {
  ledgerscopeJob: true;
  request: JobRequest;
  cancelFlag: Int32Array;
}

export type JobWorkerMessage = { type: 'progress'; progress: JobProgress } | { type: 'done'; outcome: JobOutcome };

/**
 * A worker thread per job, running `script` (a module that imports core/host/job-worker.ts: the CLI
 * bundle itself, or Electron's out/main/job-worker.js, which reads `extraWorkerData.sqliteBinding`).
 */
export function workerExecutor(script: URL, extraWorkerData: Record<string, unknown> = {}): JobExecutor {
  return (request, onProgress, cancelFlag) =>
    new Promise((resolve) => {
      const data: JobWorkerData = { ledgerscopeJob: true, request, cancelFlag };
      const worker = new Worker(script, { workerData: { ...extraWorkerData, ...data } });
      let settled = false;
      const settle = (outcome: JobOutcome): void => {
        if (settled) return;
        settled = true;
        resolve(outcome);
        void worker.terminate();
      };
      worker.on('message', (message: JobWorkerMessage) => {
        if (message.type === 'progress') onProgress(message.progress);
        else settle(message.outcome);
      });
      worker.on('error', (error) => settle({ type: 'error', message: error.message }));
      worker.on('exit', (code) => settle({ type: 'error', message: `the ${request.kind === 'reconcile.run' ? 'reconciliation' : 'import'} worker stopped (exit code ${code})` }));
    });
}

const MAX_UPLOADS = 8;

function newId(): string {
  return randomBytes(12).toString('hex');
}

interface Job {
  status: JobStatus;
  cancelFlag: Int32Array;
}

export interface JobsOptions {
  dbPath: string;
  clock: () => Instant;
  executor: JobExecutor;
  /** Every job change, for the host to push to the page. */
  emit: (event: HostEvent) => void;
  /** After an import wrote to the database (the service drops its caches). */
  onDataChanged: () => void;
}

export class Jobs {
  private readonly uploads = new Map<string, JobFile[]>();
  private readonly jobs = new Map<string, Job>();
  private running: Job | null = null;

  constructor(private readonly options: JobsOptions) {}

  /** Keeps files for a later preview or import; the oldest upload is forgotten past MAX_UPLOADS. */
  addUpload(files: JobFile[]): Upload {
    const uploadId = newId();
    this.uploads.set(uploadId, files);
    while (this.uploads.size > MAX_UPLOADS) this.uploads.delete(this.uploads.keys().next().value as string);
    return {
      upload_id: uploadId,
      files: files.map((file) => ({
        name: file.name,
        size_bytes: 'text' in file ? Buffer.byteLength(file.text, 'utf8') : 'bytes' in file ? file.bytes.byteLength : file.sizeBytes,
      })),
    };
  }

  start(kind: 'import.preview' | 'import.run', input: MethodInput<'import.run'>): JobStatus {
    const files = this.uploads.get(input.upload_id);
    if (files === undefined) throw new ApiError('not_found', 'that upload is no longer here: choose the files again');
    return this.launch(kind, input.upload_id, {
      kind,
      dbPath: this.options.dbPath,
      files,
      source: input.source,
      unit: input.unit,
      now: this.options.clock(),
    });
  }

  /** A reconciliation run at `asOf` with the host's settings, in a worker like an import. */
  startReconcile(asOf: Instant, settings: ReconciliationSettings, by: string | null = null): JobStatus {
    return this.launch('reconcile.run', null, { kind: 'reconcile.run', dbPath: this.options.dbPath, asOf, now: this.options.clock(), settings, by });
  }

  private launch(kind: JobKind, uploadId: string | null, request: JobRequest): JobStatus {
    if (this.running !== null) {
      const what = this.running.status.kind === 'reconcile.run' ? 'a reconciliation run' : 'an import';
      throw new ApiError('conflict', `${what} is still running: wait for it${this.running.status.kind === 'reconcile.run' ? '' : ' or cancel it'}`);
    }
    const job: Job = {
      status: {
        job_id: newId(),
        kind,
        state: 'running',
        progress: null,
        started_at: formatInstant(this.options.clock()),
        finished_at: null,
        preview: null,
        result: null,
        problems: [],
        problem_count: 0,
        reconcile: null,
        error: null,
      },
      cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
    };
    this.jobs.set(job.status.job_id, job);
    while (this.jobs.size > 16) this.jobs.delete(this.jobs.keys().next().value as string);
    this.running = job;
    this.emit(job);
    void this.options
      .executor(request, (progress) => {
        job.status.progress = progress;
        this.emit(job);
      }, job.cancelFlag)
      .then((outcome) => this.finish(job, uploadId, outcome));
    return { ...job.status };
  }

  private finish(job: Job, uploadId: string | null, outcome: JobOutcome): void {
    const status = job.status;
    status.finished_at = formatInstant(this.options.clock());
    switch (outcome.type) {
      case 'preview':
        status.state = 'succeeded';
        status.preview = outcome.preview;
        break;
      case 'imported':
        status.state = 'succeeded';
        status.result = outcome.result;
        // An upload is imported once; previewing it again is pointless.
        if (uploadId !== null) this.uploads.delete(uploadId);
        break;
      case 'reconciled':
        status.state = 'succeeded';
        status.reconcile = outcome.run;
        break;
      case 'rejected':
        status.state = 'failed';
        status.problems = outcome.problems;
        status.problem_count = outcome.problem_count;
        break;
      case 'cancelled':
        status.state = 'cancelled';
        break;
      case 'error':
        status.state = 'failed';
        status.error = outcome.message;
        break;
    }
    if (this.running === job) this.running = null;
    if (outcome.type === 'imported' || outcome.type === 'reconciled') {
      this.options.onDataChanged();
      this.options.emit({ type: 'data_changed' });
    }
    this.emit(job);
  }

  get(jobId: string): JobStatus {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw new ApiError('not_found', `no job ${JSON.stringify(jobId)}`);
    return { ...job.status };
  }

  cancel(jobId: string): JobStatus {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw new ApiError('not_found', `no job ${JSON.stringify(jobId)}`);
    if (job.status.state === 'running') Atomics.store(job.cancelFlag, 0, 1);
    return { ...job.status };
  }

  /** Resolves when no job runs (hosts wait for it before closing the database). */
  async idle(): Promise<void> {
    while (this.running !== null) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private emit(job: Job): void {
    const { preview: _preview, result: _result, problems: _problems, reconcile: _reconcile, ...light } = job.status;
    this.options.emit({ type: 'job', job: light });
  }
}

export type JobMethod = 'import.upload' | 'import.preview' | 'import.run' | 'jobs.get' | 'jobs.cancel';

/** reconcile.run: a job at as_of (default: now) with the host's reconciliation settings. */
export function reconcileRunHandler(
  jobs: Jobs,
  service: { asOf(text: string | undefined): Instant; assertDatabase(): void },
  settings: () => ReconciliationSettings,
  operator: () => string | null = () => null,
): Handlers['reconcile.run'] {
  return (input) => {
    const asOf = service.asOf(input.as_of);
    service.assertDatabase();
    return jobs.startReconcile(asOf, settings(), operator());
  };
}

export function jobHandlers(jobs: Jobs): Pick<Handlers, JobMethod> {
  return {
    'import.upload': (input) =>
      jobs.addUpload(input.files.map((file) => (file.bytes_base64 === undefined ? { name: file.name, text: file.text } : { name: file.name, bytes: Buffer.from(file.bytes_base64, 'base64') }))),
    'import.preview': (input) => jobs.start('import.preview', input),
    'import.run': (input) => jobs.start('import.run', input),
    'jobs.get': (input) => jobs.get(input.job_id),
    'jobs.cancel': (input) => jobs.cancel(input.job_id),
  };
}
