export function electronBindingPath(root: string, electronVersion: string): string;

export function ensureElectronBinding(options: {
  root: string;
  electronVersion: string;
  runtime?: 'electron' | 'node';
  distUrl?: string;
  targetPath?: string;
  log?: (line: string) => void;
}): string;
