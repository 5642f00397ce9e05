export function browserOpener(url: string, platform?: NodeJS.Platform, env?: NodeJS.ProcessEnv): { command: string; args: string[] } | null;
export function openBrowser(url: string, options?: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; log?: (line: string) => void }): boolean;
