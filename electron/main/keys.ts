// API keys in the desktop app: encrypted with Electron's safeStorage (the OS keychain's key) and kept,
// encrypted, in the settings file; never in the database, the renderer or a log (DESIGN §9).
import { safeStorage } from 'electron';
import { ApiError } from '../../core/api/errors.js';
import type { KeyProvider } from '../../core/api/types.js';
import type { KeyVault, SettingsFile } from '../../core/host/settings.js';

export function safeStorageKeys(file: SettingsFile): KeyVault {
  return {
    storedIn: 'safe_storage',
    editable: true,
    get: (provider: KeyProvider) => {
      const encrypted = file.read().encrypted_keys?.[provider];
      if (encrypted === undefined || !safeStorage.isEncryptionAvailable()) return null;
      try {
        return safeStorage.decryptString(Buffer.from(encrypted, 'base64'));
      } catch {
        return null; // encrypted under another OS user or keychain: treat as not configured
      }
    },
    set: (provider: KeyProvider, key: string | null) => {
      const stored = file.read();
      const keys = { ...stored.encrypted_keys };
      if (key === null) delete keys[provider];
      else {
        if (!safeStorage.isEncryptionAvailable()) {
          throw new ApiError('unavailable', 'this system offers no secure storage (keychain) to Electron: the key was not saved');
        }
        keys[provider] = safeStorage.encryptString(key).toString('base64');
      }
      file.write({ ...stored, encrypted_keys: keys });
    },
  };
}
