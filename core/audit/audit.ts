import type { Decimal } from '../money/decimal.js';
import { compareAccountKeys } from '../ledger/account-key.js';
import { replayAccount } from '../ledger/replay.js';
import { LedgerRuleError, type AccountKey } from '../ledger/types.js';
import { AccountFindings } from './account-findings.js';
import { loadFiles, materialize, type LoadedAccount } from './load.js';
import { compareWithReplay, replayWithExclusions, type AccountReplay } from './replay-check.js';
import { checkStatedBalances } from './stated-balances.js';
import { checkStatedBlocks } from './stated-blocks.js';
import { auditScannedAccount } from './scanned-account.js';
import type { AccountAudit, AuditInput, AuditOptions, AuditReport } from './types.js';

/**
 * Audits exported ledgers (Orb ledger exports, Orb create-entry bodies, Moesif balance transactions) with
 * no database and no network: parse, group by account, check what each file states about itself and
 * replay it with our engine. Pure: the same files give the same report. See types.ts for the rules.
 * Moesif files state no sequence, balances or drawn-from blocks, so for them the audit is L5 and the
 * engine's own rules on replay.
 */
export function auditExport(files: readonly AuditInput[], options: AuditOptions = {}): AuditReport {
  const loaded = loadFiles(files, options);
  const accounts = loaded.accounts.sort((a, b) => compareAccountKeys(a.key, b.key)).map(auditAccount);
  return {
    files: loaded.files,
    findings: [...loaded.findings, ...accounts.flatMap((account) => account.findings)],
    accounts,
  };
}

function auditAccount(account: LoadedAccount): AccountAudit {
  const scanned = account.scanned;
  if (scanned !== null) {
    // Records scanned from a large Orb export: proved clean on scaled integers, or audited in full below.
    const clean = auditScannedAccount(account.key, scanned.scan, scanned.ranks, scanned.records);
    if (clean !== null) return clean;
    materialize(account);
  }
  const { key, entries } = account;
  const findings = new AccountFindings();
  const statedEndings = checkStatedBalances(entries, findings);
  const replay = replayWithExclusions(key, entries, findings);
  checkStatedBlocks(entries, findings, (index, blockId) => replayedRemainingAfter(key, replay, index, blockId));
  compareWithReplay(entries, statedEndings, replay, findings);

  let statedEndingBalance: string | null = null;
  for (let i = entries.length - 1; i >= 0 && statedEndingBalance === null; i--) statedEndingBalance = entries[i]!.parsed.stated?.endingBalance ?? null;
  return {
    key,
    entries: entries.length,
    statedEndingBalance,
    replayedBalance: replay.state?.current ?? null,
    replayedPending: replay.state?.pending ?? null,
    findings: findings.sorted(),
  };
}

/**
 * A block's remaining in our replay right after the entry at `index` (for I2 messages): the replay of
 * the entries up to it. Only run when there is something to report.
 */
function replayedRemainingAfter(key: AccountKey, replay: AccountReplay, index: number, blockId: string): Decimal | null {
  if (replay.excluded.has(index)) return null;
  const prefix = replay.included.filter((entry) => entry.ordinal <= index);
  if (prefix.length === 0) return null;
  let asOf = Number.NEGATIVE_INFINITY;
  for (const entry of prefix) if (entry.at > asOf) asOf = entry.at;
  try {
    const state = replayAccount(key, prefix, { asOf });
    return state.blocks.find((block) => block.id === blockId)?.remaining ?? null;
  } catch (error) {
    if (error instanceof LedgerRuleError) return null;
    throw error;
  }
}
