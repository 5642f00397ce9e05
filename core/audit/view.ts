import { toCanonical } from '../money/decimal.js';
import type { AccountAudit, AuditReport, Finding } from './types.js';

/*
 * `audit --json` (DESIGN §7): {"findings": [{"rule", "severity", "entry_id", "message"}], "accounts": [...]}.
 * An account: {"customer_id", "subscription_id", "unit", "entries", "stated_ending_balance",
 * "replayed_balance", "replayed_pending", "findings"} where `entries` counts the entries audited,
 * `stated_ending_balance` is the last entry's stated ending_balance (null when the file states none: Moesif),
 * `replayed_balance` and `replayed_pending` are our replay's posted and pending balances (L4) as of the
 * last entry (null when nothing could be replayed; stated balances are compared with the posted one), and
 * `findings` counts the account's findings (they are listed in the top-level array). Amounts are decimal
 * strings.
 */

export interface FindingView {
  rule: string;
  severity: 'error' | 'warning';
  entry_id: string | null;
  message: string;
}

export interface AuditAccountView {
  customer_id: string;
  subscription_id: string | null;
  unit: string;
  entries: number;
  stated_ending_balance: string | null;
  replayed_balance: string | null;
  replayed_pending: string | null;
  findings: number;
}

export interface AuditReportView {
  findings: FindingView[];
  accounts: AuditAccountView[];
}

export function findingView(finding: Finding): FindingView {
  return { rule: finding.rule, severity: finding.severity, entry_id: finding.entryId, message: finding.message };
}

export function auditAccountView(account: AccountAudit): AuditAccountView {
  return {
    customer_id: account.key.customerId,
    subscription_id: account.key.subscriptionId,
    unit: account.key.unit,
    entries: account.entries,
    stated_ending_balance: account.statedEndingBalance,
    replayed_balance: account.replayedBalance === null ? null : toCanonical(account.replayedBalance),
    replayed_pending: account.replayedPending === null ? null : toCanonical(account.replayedPending),
    findings: account.findings.length,
  };
}

export function auditReportView(report: AuditReport): AuditReportView {
  return { findings: report.findings.map(findingView), accounts: report.accounts.map(auditAccountView) };
}
