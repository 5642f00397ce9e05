import { processIo } from './io.js';
import { USAGE } from './usage.js';

/*
 * What bin/ledgerscope.mjs runs: `--help` (or no command) prints the usage without loading the engine,
 * SQLite or any command module, so it answers at Node's own start-up speed; any other command loads
 * the CLI (core/cli/main.ts) and runs it.
 */
export async function launch(argv: string[], now: number): Promise<number> {
  const command = argv[0];
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    processIo.out(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  const { runCli } = await import('./main.js');
  return runCli(argv, processIo, now);
}
