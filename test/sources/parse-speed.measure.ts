/**
 * Measures parseImportFile on a generated Moesif JSON Lines file. Not a vitest test (it takes seconds):
 *   npx esbuild test/sources/parse-speed.measure.ts --bundle --platform=node --format=esm \
 *     --outfile=/tmp/parse-speed.mjs && node /tmp/parse-speed.mjs [entries | file] [runs]
 * A file argument (the peer case's moesif-python.jsonl, an Orb export...) is read, decoded and parsed with
 * its format detected, as an import does.
 * Prints wall time and the main thread's CPU time (from /proc, Linux): on a busy machine the wall time
 * includes waiting for a CPU, the thread's CPU time does not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { generateMoesifJsonl } from '../../core/sources/generate-moesif.js';
import { decodeTextFile } from '../../core/sources/text-decode.js';
import { parseImportFile } from '../../core/sources/parse.js';

function mainThreadCpuSeconds(): number | null {
  try {
    // Fields 14 and 15 of /proc/<pid>/task/<pid>/stat: user and system time in clock ticks (100 Hz).
    const stat = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const fromFile = process.argv[2] !== undefined && existsSync(process.argv[2]) ? process.argv[2] : null;
const runs = Number(process.argv[3] ?? 3);
const text = fromFile === null ? generateMoesifJsonl({ entries: Number(process.argv[2] ?? 1_000_000), accounts: 10_000, seed: 42 }) : decodeTextFile(fromFile, readFileSync(fromFile)).text;
const name = fromFile ?? 'bench.jsonl';
const entries = fromFile === null ? Number(process.argv[2] ?? 1_000_000) : parseImportFile(name, text).entries.length;
console.log(`${fromFile === null ? 'generated' : 'read'} ${entries} records, ${(text.length / 1e6).toFixed(0)} MB`);
for (let run = 1; run <= runs; run++) {
  const cpuBefore = mainThreadCpuSeconds();
  const started = performance.now();
  let result: ReturnType<typeof parseImportFile> | null = parseImportFile(name, text, fromFile === null ? { source: 'moesif' } : {});
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = mainThreadCpuSeconds();
  if (result.problems.length > 0 || result.entries.length !== entries) throw new Error('the generated file did not parse cleanly');
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  result = null;
  const cpu = cpuBefore === null || cpuAfter === null ? '' : `; main thread CPU ${(cpuAfter - cpuBefore).toFixed(2)} s = ${Math.round(entries / (cpuAfter - cpuBefore)).toLocaleString('en')} lines/CPU-s`;
  console.log(`run ${run}: wall ${seconds.toFixed(2)} s = ${Math.round(entries / seconds).toLocaleString('en')} lines/s${cpu}; rss ${rssMb.toFixed(0)} MB`);
}
