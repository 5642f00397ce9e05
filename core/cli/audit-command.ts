import { readFileSync } from 'node:fs';
import { decodeTextFile, formatProblem, TextEncodingError } from '../sources/index.js';
import { auditExport, auditReportView, type AuditInput, type AuditReport } from '../audit/index.js';
import type { CliIo } from './io.js';
import { textTable } from './text-table.js';
import { counted } from './counted.js';

/**
 * `ledgerscope audit <export-file>... [--json]`: audits Orb ledger exports, Orb create-entry bodies and
 * Moesif balance transactions with no database and no network. Exit 0 clean, 1 any finding (warnings
 * too), 2 usage or a file that cannot be read (each problem one line on stderr).
 */
export function runAudit(ctx: { io: CliIo; now: number }, files: string[], options: { json: boolean }): number {
  const { io } = ctx;
  if (files.length === 0) {
    io.err('audit: name at least one export file\n');
    return 2;
  }
  const inputs: AuditInput[] = [];
  const unreadable: string[] = [];
  for (const path of files) {
    try {
      const decoded = decodeTextFile(path, readFileSync(path));
      if (decoded.encoding !== 'UTF-8') io.err(`audit: ${path}: read as ${decoded.encoding} (its byte-order mark says so)\n`);
      inputs.push({ path, text: decoded.text });
    } catch (error) {
      if (error instanceof TextEncodingError) unreadable.push(formatProblem(error.problem));
      else unreadable.push(`${path}: cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  if (unreadable.length > 0) {
    for (const line of unreadable) io.err(`${line}\n`);
    return 2;
  }
  const report = auditExport(inputs);
  if (options.json) io.out(JSON.stringify(auditReportView(report), null, 2) + '\n');
  else io.out(auditText(report));
  return report.findings.length > 0 ? 1 : 0;
}

/** The human summary: files, an account table, then one line per finding. */
export function auditText(report: AuditReport): string {
  const view = auditReportView(report);
  const entries = view.accounts.reduce((total, account) => total + account.entries, 0);
  let out = '';
  for (const file of report.files) {
    out += file.audited
      ? `${file.path}: ${file.format}, ${counted(file.records, 'record')}\n`
      : `${file.path}: not audited (${file.format ?? 'format unknown'}; see its parse findings)\n`;
  }
  out += `${counted(view.accounts.length, 'account')}, ${counted(entries, 'entry', 'entries')} audited\n`;
  if (view.accounts.length > 0) {
    out += '\n' + textTable(
      ['customer', 'subscription', 'unit', 'entries', 'stated_ending', 'replayed', 'pending', 'findings'],
      view.accounts.map((a) => [
        a.customer_id, a.subscription_id, a.unit, String(a.entries), a.stated_ending_balance, a.replayed_balance, a.replayed_pending, String(a.findings),
      ]),
    );
  }
  if (view.findings.length === 0) return out + '\nno findings\n';
  out += '\n';
  for (const finding of view.findings) out += `${finding.severity.padEnd(7)} ${finding.rule.padEnd(5)} ${finding.entry_id ?? '-'}  ${finding.message}\n`;
  const errors = view.findings.filter((finding) => finding.severity === 'error').length;
  const warnings = view.findings.length - errors;
  return out + `\n${counted(view.findings.length, 'finding')}: ${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}\n`;
}
