// API keys in the desktop app: encrypted with Electron's safeStorage (the OS keychain's key) and kept,
// encrypted, in the settings file; never in the database, the renderer or a log (DESIGN §9). On Linux
// without a keyring safeStorage's encryption is only nominal: keys then last the session unless the
// user confirms (core/host/key-storage.ts decides; this file only asks Electron).
import { safeStorage } from 'electron';
import { desktopKeyVault, keyStoragePolicy } from '../../core/host/key-storage.js';
import type { KeyVault, SettingsFile } from '../../core/host/settings.js';

/** Call after app 'ready': before it, Linux reports the backend as unknown. */
export function safeStorageKeys(file: SettingsFile): KeyVault {
  const storage = keyStoragePolicy({
    platform: process.platform,
    linuxBackend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null,
    encryptionAvailable: safeStorage.isEncryptionAvailable(),
  });
  return desktopKeyVault(file, safeStorage, storage);
}
