import { z } from 'zod';
import { Decimal, isDecimalLiteral, toCanonical } from '../money/decimal.js';
import type { ReconcileSettings } from './types.js';

/** DESIGN §6: ± 3 days; amounts must agree exactly unless the user allows a tolerance. */
export const DEFAULT_SETTINGS: ReconcileSettings = { dateWindowDays: 3, amountTolerance: new Decimal(0) };

/** Settings as they cross a boundary (JSON, SQLite, the contract): snake_case, the tolerance a decimal string. */
export const reconcileSettingsSchema = z.strictObject({
  date_window_days: z.number().int().min(0).max(90).optional(),
  amount_tolerance: z
    .string()
    .max(64)
    .refine(isDecimalLiteral, 'expected a decimal number like "0.01" (no exponent, no thousands separator)')
    .refine((text) => !text.trim().startsWith('-'), 'a tolerance cannot be negative')
    .optional(),
});

export type ReconcileSettingsText = z.input<typeof reconcileSettingsSchema>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'SettingsError';
  }
}

/** Validates settings from outside (missing keys take the defaults); throws SettingsError naming each field. */
export function parseReconcileSettings(input: unknown): ReconcileSettings {
  const parsed = reconcileSettingsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`));
  }
  return {
    dateWindowDays: parsed.data.date_window_days ?? DEFAULT_SETTINGS.dateWindowDays,
    amountTolerance: parsed.data.amount_tolerance === undefined ? DEFAULT_SETTINGS.amountTolerance : new Decimal(parsed.data.amount_tolerance),
  };
}

export function settingsText(settings: ReconcileSettings): { date_window_days: number; amount_tolerance: string } {
  return { date_window_days: settings.dateWindowDays, amount_tolerance: toCanonical(settings.amountTolerance) };
}

export const DAY_MS = 86_400_000;
