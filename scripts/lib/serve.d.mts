import type { ChildProcess } from 'node:child_process';

export function ensureCli(root: string): void;
export function serveCommand(root: string): Promise<{ args: string[]; fallback: boolean }>;

export interface RunningServe {
  /** http://127.0.0.1:<port>/#token=<token> */
  url: string;
  /** http://127.0.0.1:<port>/ */
  origin: string;
  port: number;
  token: string;
  child: ChildProcess;
  /** True while the CLI does not route `serve` and a bundle of core/cli/serve-command.ts stands in. */
  fallback: boolean;
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
