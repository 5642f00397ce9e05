// Child process of kill.test.ts, bundled by esbuild on the fly: imports a large generated Moesif file
// and, once well into the write (past the page cache, so pages are on disk), says "MID" and waits to
// be killed. Arguments: <db path> <seed> <entries> <signal after N written>.
import { importFiles } from '../../core/import/ledger-files.js';
import { generateMoesifJsonl } from '../../core/sources/index.js';

const [db, seed, entries, signalAfter] = process.argv.slice(2);
if (db === undefined || seed === undefined || entries === undefined || signalAfter === undefined) throw new Error('usage: kill-child <db> <seed> <entries> <signal-after>');
const text = generateMoesifJsonl({ entries: Number(entries), accounts: 50, seed: Number(seed) });
importFiles(db, [{ path: 'big.jsonl', text }], {
  now: Date.UTC(2025, 1, 1),
  onProgress: (progress) => {
    if (progress.phase !== 'write' || progress.done < Number(signalAfter)) return;
    process.stdout.write('MID\n'); // pipes are synchronous on POSIX: the parent has it before we sleep
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
  },
});
process.stdout.write('DONE\n');
