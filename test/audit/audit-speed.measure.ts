/**
 * Measures auditExport on a generated Orb export (not a vitest test: it takes seconds).
 * Run: npx esbuild test/audit/audit-speed.measure.ts --bundle --platform=node --format=esm --packages=external \
 *        --outfile=/tmp/audit-speed.mjs && node /tmp/audit-speed.mjs [entries]
 */
import { auditExport } from '../../core/audit/audit.js';
import { generateOrbExportJsonl } from '../../core/audit/generate-orb-export.js';
import { parseImportFile } from '../../core/sources/parse.js';

const entries = Number(process.argv[2] ?? 1_000_000);
const text = generateOrbExportJsonl({ entries, accounts: Math.max(1, Math.round(entries / 100)), seed: 42 });
console.log(`generated ${entries} lines, ${(text.length / 1e6).toFixed(0)} MB`);
for (let run = 1; run <= 3; run++) {
  let started = performance.now();
  const parsed = parseImportFile('orb.jsonl', text, { source: 'orb-export' });
  const parseSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const report = auditExport([{ path: 'orb.jsonl', text }]);
  const seconds = (performance.now() - started) / 1000;
  if (report.findings.length > 0) throw new Error(`the generated export has findings: ${report.findings.slice(0, 3).map((f) => f.message).join('\n')}`);
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  console.log(`run ${run}: parse alone ${parseSeconds.toFixed(2)} s (${parsed.entries.length}); audit ${seconds.toFixed(2)} s, ${Math.round(entries / seconds).toLocaleString('en')} entries/s, rss ${rssMb.toFixed(0)} MB`);
}
