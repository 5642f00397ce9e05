import { ApiError } from '../api/errors.js';
import type { KeyProvider, KeyStatus, KeyStorageView } from '../api/types.js';
import type { KeyVault, SettingsFile } from './settings.js';

/*
 * How the desktop keeps API keys (issue 10 §9, DESIGN §9). Electron's safeStorage encrypts with the OS
 * store: the macOS Keychain, Windows DPAPI, on Linux GNOME libsecret or KWallet. On Linux without a
 * keyring it falls back to `basic_text`: the same call "encrypts" with a password hard-coded in
 * Chromium, which protects nothing from anyone who can read the settings file. There a key is kept in
 * memory for this session only unless the user confirms saving it anyway; with no encryption at all,
 * session only. The decision is a pure function of what Electron reports; main passes it in.
 */

export interface KeyStorageInputs {
  platform: NodeJS.Platform;
  /** safeStorage.getSelectedStorageBackend() on Linux (null elsewhere). */
  linuxBackend: string | null;
  /** safeStorage.isEncryptionAvailable(). */
  encryptionAvailable: boolean;
}

const LINUX_BACKENDS: Record<string, string> = {
  gnome_libsecret: 'the GNOME keyring (libsecret)',
  kwallet: 'KWallet',
  kwallet5: 'KWallet',
  kwallet6: 'KWallet',
};

export function keyStoragePolicy(inputs: KeyStorageInputs): KeyStorageView {
  if (!inputs.encryptionAvailable) {
    return {
      protection: 'unavailable',
      backend: null,
      session_only_by_default: true,
      message: 'This system offers no way to encrypt keys: a key you enter is kept for this session only, until you quit.',
    };
  }
  if (inputs.platform === 'linux') {
    const backend = inputs.linuxBackend === null ? undefined : LINUX_BACKENDS[inputs.linuxBackend];
    if (backend === undefined) {
      // basic_text, or a backend we do not know (unknown: asked before the app was ready): never trusted as a keyring.
      return {
        protection: 'basic_text',
        backend: null,
        session_only_by_default: true,
        message:
          'No keyring (GNOME Keyring or KWallet) was found, so keys saved on disk would be protected only by a fixed password anyone can look up. ' +
          'A key you enter is kept for this session only, unless you choose to save it anyway.',
      };
    }
    return { protection: 'os_keychain', backend, session_only_by_default: false, message: `Keys are encrypted with ${backend} and never shown again: only their last four characters.` };
  }
  const backend = inputs.platform === 'darwin' ? 'the macOS Keychain' : inputs.platform === 'win32' ? 'Windows DPAPI (your Windows account)' : 'the system keychain';
  return { protection: 'os_keychain', backend, session_only_by_default: false, message: `Keys are encrypted with ${backend} and never shown again: only their last four characters.` };
}

/** The part of Electron's safeStorage the vault uses. */
export interface Encryptor {
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * The desktop's vault: encrypted keys in the settings file where the policy allows, else in memory for
 * this session. A key in memory wins over one on disk (it was entered later).
 */
export function desktopKeyVault(file: SettingsFile, encryptor: Encryptor, storage: KeyStorageView): KeyVault {
  const session = new Map<KeyProvider, string>();
  const onDisk = (provider: KeyProvider): string | null => {
    const encrypted = file.read().encrypted_keys?.[provider];
    if (encrypted === undefined || storage.protection === 'unavailable') return null;
    try {
      return encryptor.decryptString(Buffer.from(encrypted, 'base64'));
    } catch {
      return null; // encrypted under another OS user or keychain: treat as not configured
    }
  };
  const writeDisk = (provider: KeyProvider, key: string | null): void => {
    const stored = file.read();
    const keys = { ...stored.encrypted_keys };
    if (key === null) {
      if (keys[provider] === undefined) return;
      delete keys[provider];
    } else {
      keys[provider] = encryptor.encryptString(key).toString('base64');
    }
    file.write({ ...stored, encrypted_keys: keys });
  };
  return {
    storedIn: 'safe_storage',
    editable: true,
    storage,
    get: (provider) => session.get(provider) ?? onDisk(provider),
    location: (provider): KeyStatus['stored_in'] => {
      if (session.has(provider)) return 'session';
      if (onDisk(provider) === null) return null;
      return storage.protection === 'basic_text' ? 'basic_text' : 'safe_storage';
    },
    set: (provider, key, options = {}) => {
      if (key === null) {
        session.delete(provider);
        writeDisk(provider, null);
        return;
      }
      const persist = storage.protection === 'os_keychain' || (storage.protection === 'basic_text' && options.saveWithoutKeyring === true);
      if (!persist && options.saveWithoutKeyring === true) {
        throw new ApiError('unavailable', 'this system offers no way to encrypt keys: the key cannot be saved on disk (save it without that choice to keep it for this session)');
      }
      if (persist) {
        writeDisk(provider, key);
        session.delete(provider);
      } else {
        // The user chose not to keep keys on disk here: an older copy there must not outlive this one.
        writeDisk(provider, null);
        session.set(provider, key);
      }
    },
  };
}
