import { isRecord } from '../fields.js';
import { parseJsonExact } from '../lossless-json.js';
import { parseOrbExport } from '../orb-export.js';
import { readShape } from '../records.js';
import type { ImportProblem, ParsedEntry } from '../types.js';

/*
 * Orb's API → canonical entries. A page of View Credits Ledger is exactly the Orb ledger export's page
 * shape ({data, pagination_metadata}), so each page's text goes through the export parser
 * (core/sources/orb-export.ts): the API and an export file give the same entries. Amounts are JSON
 * numbers in Orb's API; the page text is parsed losslessly, never through the SDK's float parse.
 *
 * The link from a credit purchase to its Stripe payment (DESIGN §6): an increment names the invoices it
 * created (`created_invoices`), and an invoice's `payment_attempts` name the Stripe payment
 * (`payment_provider_id`, a payment intent id). Both go into the entry's metadata as orb_invoice_id and
 * payment_provider_id, which reconciliation reads as exact references.
 */

/** Orb's newest-first ledger pages (as text) → entries in replay order (ledger sequence ascending). */
export function parseOrbLedgerPages(source: string, pages: readonly string[], problems: ImportProblem[]): ParsedEntry[] {
  const entries: ParsedEntry[] = [];
  pages.forEach((text, index) => {
    const file = pages.length === 1 ? source : `${source} (page ${index + 1})`;
    entries.push(...parseOrbExport(file, text, readShape(text), problems));
  });
  // Pages come newest first; replay order is the ledger sequence (then time, then arrival).
  const order = entries.map((parsed, position) => ({ parsed, position }));
  order.sort(
    (a, b) =>
      (a.parsed.stated?.sequence ?? Number.POSITIVE_INFINITY) - (b.parsed.stated?.sequence ?? Number.POSITIVE_INFINITY) ||
      a.parsed.entry.at - b.parsed.entry.at ||
      a.position - b.position,
  );
  return order.map((item, ordinal) => {
    item.parsed.entry.ordinal = ordinal;
    return item.parsed;
  });
}

/** An Orb invoice's Stripe payment: the first succeeded Stripe attempt, else the first Stripe attempt. */
export function stripePaymentOfInvoice(invoice: Record<string, unknown>): string | null {
  const attempts = Array.isArray(invoice.payment_attempts) ? invoice.payment_attempts.filter(isRecord) : [];
  const stripe = attempts.filter((a) => a.payment_provider === 'stripe' && typeof a.payment_provider_id === 'string' && a.payment_provider_id !== '');
  const chosen = stripe.find((a) => a.succeeded === true) ?? stripe[0];
  return chosen === undefined ? null : (chosen.payment_provider_id as string);
}

/** Invoice ids an increment created (its raw `created_invoices`), and their Stripe payments where embedded. */
export function createdInvoices(raw: string): { id: string; stripePayment: string | null }[] {
  let value: unknown;
  try {
    value = parseJsonExact(raw);
  } catch {
    return [];
  }
  if (!isRecord(value) || !Array.isArray(value.created_invoices)) return [];
  return value.created_invoices
    .filter(isRecord)
    .filter((invoice) => typeof invoice.id === 'string')
    .map((invoice) => ({ id: invoice.id as string, stripePayment: stripePaymentOfInvoice(invoice) }));
}

/**
 * The metadata links of an increment: orb_invoice_id and payment_provider_id, from its embedded invoices
 * or, when those carry no attempt yet, from `invoicePayments` (invoice id → Stripe payment id).
 */
export function paymentLinks(parsed: ParsedEntry, invoicePayments: ReadonlyMap<string, string>): Record<string, string> {
  if (parsed.entry.kind !== 'increment') return {};
  const links: Record<string, string> = {};
  for (const invoice of createdInvoices(parsed.raw)) {
    links.orb_invoice_id ??= invoice.id;
    const payment = invoice.stripePayment ?? invoicePayments.get(invoice.id) ?? null;
    if (payment !== null && links.payment_provider_id === undefined) {
      links.payment_provider_id = payment;
      links.orb_invoice_id = invoice.id;
    }
  }
  return links;
}

/** The entry with links added to its metadata (metadata is evidence, not L5 content). */
export function withLinks(parsed: ParsedEntry, links: Record<string, string>): ParsedEntry {
  if (Object.keys(links).length === 0) return parsed;
  const plain: ParsedEntry = 'toJSON' in parsed && typeof parsed.toJSON === 'function' ? (parsed.toJSON() as ParsedEntry) : { ...parsed };
  return { ...plain, metadata: { ...(plain.metadata ?? {}), ...links } };
}
