// core/reconcile: Stripe money ↔ ledger credits (DESIGN §6). Pure: no clock, no I/O, no SQL.
//
// Decisions where DESIGN §6 is silent (README's reference section repeats them):
// - Money value of a credit = amount × cost basis (unknown cost basis: 1). Cost basis 0 is promotional:
//   never matched, never reported. Item and drift amounts are in the ACCOUNT's unit: money ÷ the
//   credit's cost basis (custom units like Orb "credits"); a derived amount keeps 12 decimals.
// - difference = actual − expected (positive: the ledger holds more than Stripe says was paid).
// - One Stripe payment is often several objects (session → intent → charge, invoice): linked objects
//   are one group, counted once; any of their ids is a reference. A charge's amount_refunded beyond
//   its refund records is a refund of its own ("<id>#amount_refunded", dated with the payment).
// - Stripe status → money: succeeded|paid|complete = paid; processing|requires_*|open|draft = pending;
//   failed|canceled|requires_payment_method|expired|void|uncollectible = failed (an unknown word is
//   pending: shown, never drift). Disputes: lost takes money back, won gives it back, open is pending,
//   charge_refunded is covered by the refund. Customer balance transactions count as paid only for the
//   types adjustment, credit_note, initial, migration.
// - A failed payment nobody credited, a won dispute nothing was taken for, a refund of a payment never
//   credited (netted into that payment's item) are `matched`: Stripe and the ledger agree.
// - currency_mismatch: the credit's unit is another ISO currency; the item belongs to the credit's
//   account with expected 0 there (nothing was paid in that currency); its proposal takes it back.
// - Ledger reversals: voids and decrements. Plain decrements are usage: only a reference or the exact
//   refund amount in the window makes one a reversal; an unmatched void is reported (missing_in_stripe)
//   only when it says refund or names Stripe money.
// - Items are named by what they are about ("payment:<stripe id>", "entry:<source>:<id>"), stable across
//   runs: runs compare by these ids, and adjustments name the item they settle. A difference whose
//   posted adjustments bring it within tolerance is `settled` (the CLI prints category "settled").
// - Pending items are shown but are neither drift nor differences; matched_fuzzy is a match (review it).
export * from './types.js';
export { reconcile, hasDifferences } from './reconcile.js';
export { DEFAULT_SETTINGS, parseReconcileSettings, reconcileSettingsSchema, settingsText, SettingsError, type ReconcileSettingsText } from './settings.js';
export { linkCustomers, type CustomerLinker, type LedgerCustomer } from './customers.js';
export { collectStripeMoney, moneyStatus, type MoneyStatus } from './payments.js';
export { ADJUSTMENT_METADATA, forEachReferenceToken } from './references.js';
export { adjustmentMetadata, idempotencyKey, proposalEntry, proposeBalancingEntry, withBody } from './proposals.js';
export { proposalFromView, proposalViewSchema, ProposalInputError } from './proposal-input.js';
export { reversalKey, reversalProposal } from './reversal.js';
export { previewEntry, type BalancePreview, type BalancesView, type PreviewBlockState } from './preview.js';
export { compareRunItems, isOpen, type ItemChange, type RunComparison } from './compare.js';
export { providerBodiesJsonl, providerBodyJson } from './export.js';
export {
  accountView,
  itemView,
  jsonItem,
  jsonItemOfView,
  proposalView,
  reconcileJsonView,
  type ItemView,
  type ProposalView,
  type ReconcileJson,
  type ReconcileJsonAccount,
  type ReconcileJsonItem,
} from './view.js';
export { parseCustomerMappingCsv, MappingCsvError } from './customer-mapping-csv.js';
export { generateReconcileInput, type GenerateReconcileOptions } from './generate-reconcile.js';
