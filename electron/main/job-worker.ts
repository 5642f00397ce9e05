// Entry of the worker thread that runs imports off Electron's main thread (core/host/jobs.ts starts it).
// The Electron-ABI better-sqlite3 is primed first, then the shared job worker runs (it acts on import).
import { workerData } from 'node:worker_threads';
import { useSqliteBinding } from './database.js';

useSqliteBinding((workerData as { sqliteBinding?: string } | null)?.sqliteBinding);
await import('../../core/host/job-worker.js');
