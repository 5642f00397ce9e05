import type { ChildProcess } from 'node:child_process';

export function ensureCli(root: string): void;

export interface RunningServe {
  /** http://127.0.0.1:<port>/#token=<token> */
  url: string;
  /** http://127.0.0.1:<port>/ */
  origin: string;
  port: number;
  token: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startServe(options: {
  root: string;
  db: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  stdio?: 'pipe' | 'inherit';
}): Promise<RunningServe>;
