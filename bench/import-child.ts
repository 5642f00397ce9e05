// Child process of `npm run bench`: imports one file into a fresh database, alone in its process
// so that its peak resident memory (maxRSS) is the import's own.
import { readFileSync } from 'node:fs';
import { importFiles } from '../core/import/ledger-files.js';

const [file, db] = process.argv.slice(2);
if (file === undefined || db === undefined) throw new Error('usage: bench-import-child <file> <db>');
const started = performance.now();
const cpuStarted = process.cpuUsage();
const summary = importFiles(db, [{ path: file, text: readFileSync(file, 'utf8') }], { now: Date.now() });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  JSON.stringify({ seconds, cpuSeconds, inserted: summary.inserted, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
