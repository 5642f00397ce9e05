export const USAGE = `ledgerscope: prepaid credit ledgers, replayed and reconciled offline

Usage:
  ledgerscope import <file>... --db <path> [--source moesif|orb-bodies|orb-export|stripe|stripe-csv] [--unit <code>] [--created-at-field <name>]
  ledgerscope balance  --db <path> --customer <id> [--as-of <instant>] [--json]
  ledgerscope balances --db <path> [--as-of <instant>] [--json]
  ledgerscope blocks   --db <path> --customer <id> [--as-of <instant>] [--json]
  ledgerscope entries  --db <path> --customer <id> [--json]
  ledgerscope timeline --db <path> --customer <ledger id|Stripe customer id|email|name|payment, charge or invoice id> [--as-of <instant>] [--json]
  ledgerscope reconcile --db <path> [--as-of <instant>] [--json] [--report <file.xlsx|file.csv>]
  ledgerscope audit <export-file>... [--json]
  ledgerscope report liability --db <path> --from <instant> --to <instant> [--unit <code>] [--json|--csv] [--xlsx <file>]
  ledgerscope report journal --db <path> --from <instant> --to <instant> [--unit <code>] [--csv]
  ledgerscope sync stripe|orb|moesif --db <path> [--api-base <url>]
  ledgerscope adjustments list --db <path> [--run <run_id>] [--customer <id>] [--provider orb|moesif] [--push-status pushed|confirmed|failed|not_pushed] [--unpushed] [--json]
  ledgerscope adjustments push --db <path> --confirm [--run <run_id>] [--key <idempotency_key>]... [--orb-api-base <url>] [--moesif-api-base <url>] [--json]
  ledgerscope mapping import <csv> --db <path>
  ledgerscope mapping list --db <path> [--json]
  ledgerscope serve --db <path> [--port <n>]

Instants are ISO 8601 with a zone ("2025-01-10T00:00:00Z", "2025-01-10T02:00:00+02:00") or a date
("2025-01-10" = 00:00 UTC). --as-of defaults to now.
adjustments push sends posted balancing adjustments to Orb (ORB_API_KEY) and Moesif (MOESIF_MANAGEMENT_TOKEN);
without --confirm it lists what would be sent and sends nothing.
Exit codes: 0 success, 1 findings (reconcile/audit) or pushes failed/skipped, 2 bad input or usage.`;
