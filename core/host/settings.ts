import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MethodInput } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import { KEY_PROVIDERS, type JournalAccounts, type KeyProvider, type KeyStatus, type KeyStorageView, type ReconciliationSettings, type SettingsView } from '../api/types.js';

/*
 * Settings: the reconciliation window and tolerances (a JSON file in the user's config directory, never
 * in the ledger database), and API keys. Keys never reach the page: it sees whether one is configured
 * and its last four characters. Desktop keeps them encrypted with Electron's safeStorage (a KeyVault
 * given by main); browser mode reads them from the environment only (DESIGN §9).
 */

/** The variables the sources' sync reads (issue 3), and browser mode with it. */
export const KEY_ENVIRONMENT: Record<KeyProvider, string> = {
  stripe: 'STRIPE_API_KEY',
  orb: 'ORB_API_KEY',
  moesif: 'MOESIF_MANAGEMENT_TOKEN',
};

export const DEFAULT_RECONCILIATION: ReconciliationSettings = { date_window_days: 3, amount_tolerance: '0' };

export interface KeyVault {
  readonly storedIn: 'safe_storage' | 'environment';
  readonly editable: boolean;
  /** How keys saved here are protected (default: the environment, or the OS keychain when editable). */
  readonly storage?: KeyStorageView;
  get(provider: KeyProvider): string | null;
  /** Where this provider's key is kept now (default: storedIn when it has one). */
  location?(provider: KeyProvider): KeyStatus['stored_in'];
  /** null removes the key. Only called when editable. saveWithoutKeyring: the user confirmed saving without a keyring. */
  set(provider: KeyProvider, key: string | null, options?: { saveWithoutKeyring?: boolean }): void;
}

const ENVIRONMENT_STORAGE: KeyStorageView = {
  protection: 'environment',
  backend: null,
  session_only_by_default: false,
  message: 'In browser mode keys come from the environment of ledgerscope serve and never reach this page: only their last four characters.',
};

const KEYCHAIN_STORAGE: KeyStorageView = {
  protection: 'os_keychain',
  backend: null,
  session_only_by_default: false,
  message: 'Keys are encrypted with the system keychain and never shown again: only their last four characters.',
};

/** Browser mode: keys from the environment, read-only. */
export function environmentKeys(env: NodeJS.ProcessEnv = process.env): KeyVault {
  return {
    storedIn: 'environment',
    editable: false,
    get: (provider) => {
      const value = env[KEY_ENVIRONMENT[provider]];
      return value === undefined || value === '' ? null : value;
    },
    set: () => {
      throw new ApiError('forbidden', 'browser mode reads API keys from the environment only');
    },
  };
}

/** "rk_live_…a1b2": a recognisable prefix and the last four characters, never more than that. */
export function maskKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(live|test)_/.exec(key)?.[0] ?? '';
  return `${prefix}…${key.slice(-4)}`;
}

/** The journal's accounts until the user names their own (a common chart-of-accounts wording). */
export const DEFAULT_JOURNAL_ACCOUNTS: JournalAccounts = {
  cash: 'Cash',
  deferred_revenue: 'Deferred Revenue',
  revenue: 'Revenue',
  breakage: 'Breakage Revenue',
};

export interface StoredSettings {
  reconciliation?: Partial<ReconciliationSettings>;
  /** Who uses this copy: recorded with every run, sign-off, re-open, adjustment and push. */
  operator_name?: string;
  journal_accounts?: Partial<JournalAccounts>;
  /** Desktop: keys encrypted by the vault, base64. Written only by an editable vault. */
  encrypted_keys?: Partial<Record<KeyProvider, string>>;
  /** Desktop: the database opened last (File > Open database). */
  last_database?: string;
}

/** The settings file: written whole to a temporary file and renamed, so it is never half-written. */
export class SettingsFile {
  constructor(private readonly path: string) {}

  read(): StoredSettings {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as StoredSettings) : {};
    } catch {
      return {};
    }
  }

  write(settings: StoredSettings): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
    renameSync(temporary, this.path);
  }
}

export class Settings {
  constructor(
    private readonly file: SettingsFile,
    private readonly vault: KeyVault,
  ) {}

  view(): SettingsView {
    const stored = this.file.read().reconciliation ?? {};
    const reconciliation: ReconciliationSettings = {
      date_window_days:
        typeof stored.date_window_days === 'number' ? stored.date_window_days : DEFAULT_RECONCILIATION.date_window_days,
      amount_tolerance:
        typeof stored.amount_tolerance === 'string' ? stored.amount_tolerance : DEFAULT_RECONCILIATION.amount_tolerance,
    };
    const keys: KeyStatus[] = KEY_PROVIDERS.map((provider) => {
      const key = this.vault.get(provider);
      return {
        provider,
        configured: key !== null,
        masked: key === null ? null : maskKey(key),
        stored_in: key === null ? null : (this.vault.location?.(provider) ?? this.vault.storedIn),
      };
    });
    const storage = this.vault.storage ?? (this.vault.editable ? KEYCHAIN_STORAGE : ENVIRONMENT_STORAGE);
    return {
      reconciliation,
      keys,
      keys_editable: this.vault.editable,
      key_environment: KEY_ENVIRONMENT,
      key_storage: storage,
      operator_name: this.operatorName(),
      journal_accounts: this.journalAccounts(),
    };
  }

  /** The name recorded with every action; null until the user sets one. */
  operatorName(): string | null {
    const name = this.file.read().operator_name;
    return typeof name === 'string' && name.trim() !== '' ? name.trim() : null;
  }

  journalAccounts(): JournalAccounts {
    const stored = this.file.read().journal_accounts ?? {};
    const pick = (key: keyof JournalAccounts): string => (typeof stored[key] === 'string' && stored[key].trim() !== '' ? stored[key].trim() : DEFAULT_JOURNAL_ACCOUNTS[key]);
    return { cash: pick('cash'), deferred_revenue: pick('deferred_revenue'), revenue: pick('revenue'), breakage: pick('breakage') };
  }

  update(input: MethodInput<'settings.set'>): SettingsView {
    if (input.keys !== undefined && Object.keys(input.keys).length > 0) {
      if (!this.vault.editable) throw new ApiError('forbidden', `browser mode reads API keys from the environment (${Object.values(KEY_ENVIRONMENT).join(', ')}); set them there and restart`);
      for (const provider of KEY_PROVIDERS) {
        const key = input.keys[provider];
        if (key !== undefined) this.vault.set(provider, key, { saveWithoutKeyring: input.save_keys_without_keyring === true });
      }
    }
    if (input.reconciliation !== undefined || input.operator_name !== undefined || input.journal_accounts !== undefined) {
      const stored = this.file.read();
      if (input.reconciliation !== undefined) stored.reconciliation = { ...stored.reconciliation, ...input.reconciliation };
      if (input.operator_name !== undefined) {
        const name = input.operator_name?.trim() ?? '';
        if (name === '') delete stored.operator_name;
        else stored.operator_name = name;
      }
      if (input.journal_accounts !== undefined) stored.journal_accounts = { ...stored.journal_accounts, ...input.journal_accounts };
      this.file.write(stored);
    }
    return this.view();
  }
}
