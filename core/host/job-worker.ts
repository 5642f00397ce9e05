import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runJob } from './run-job.js';
import type { JobWorkerData, JobWorkerMessage } from './jobs.js';

/*
 * The worker side of a job. A module that imports this one becomes a job worker when it is started as
 * one (workerData.ledgerscopeJob): the CLI bundle (dist/cli.mjs) starts itself, so browser mode needs no
 * second file; Electron has its own small entry (electron/main/job-worker.ts).
 */

function isJobWorkerData(value: unknown): value is JobWorkerData {
  return typeof value === 'object' && value !== null && (value as { ledgerscopeJob?: unknown }).ledgerscopeJob === true;
}

export function runAsJobWorker(): boolean {
  if (isMainThread || parentPort === null || !isJobWorkerData(workerData)) return false;
  const port = parentPort;
  const { request, cancelFlag } = workerData;
  const post = (message: JobWorkerMessage): void => port.postMessage(message);
  const outcome = runJob(request, (progress) => post({ type: 'progress', progress }), () => Atomics.load(cancelFlag, 0) === 1);
  post({ type: 'done', outcome });
  return true;
}

runAsJobWorker();
