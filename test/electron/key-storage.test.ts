// Issue 10 §9: how the desktop keeps API keys on each OS. The decision is a pure function of what
// Electron's safeStorage reports; the vault runs on a real settings file. Electron's binary is absent
// here, so its encryption is stood in for by a reversible transform that marks what it wrapped.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopKeyVault, keyStoragePolicy, type Encryptor } from '../../core/host/key-storage.js';
import { Settings, SettingsFile } from '../../core/host/settings.js';

const encryptor: Encryptor = {
  encryptString: (text) => Buffer.from(`enc:${[...text].reverse().join('')}`),
  decryptString: (buffer) => {
    const text = buffer.toString();
    if (!text.startsWith('enc:')) throw new Error('not ours');
    return [...text.slice(4)].reverse().join('');
  },
};

const KEY = 'orb_live_key_0123456789';

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function settingsOn(inputs: Parameters<typeof keyStoragePolicy>[0]): { settings: Settings; file: string; reopen: () => Settings } {
  dir = mkdtempSync(join(tmpdir(), 'ledgerscope-keys-'));
  const file = join(dir, 'settings.json');
  const make = (): Settings => new Settings(new SettingsFile(file), desktopKeyVault(new SettingsFile(file), encryptor, keyStoragePolicy(inputs)));
  return { settings: make(), file, reopen: make };
}

const diskText = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

describe('key storage policy per OS', () => {
  it('macOS Keychain, Windows DPAPI, GNOME libsecret and KWallet protect keys on disk', () => {
    expect(keyStoragePolicy({ platform: 'darwin', linuxBackend: null, encryptionAvailable: true })).toMatchObject({ protection: 'os_keychain', backend: 'the macOS Keychain', session_only_by_default: false });
    expect(keyStoragePolicy({ platform: 'win32', linuxBackend: null, encryptionAvailable: true })).toMatchObject({ protection: 'os_keychain', backend: 'Windows DPAPI (your Windows account)' });
    expect(keyStoragePolicy({ platform: 'linux', linuxBackend: 'gnome_libsecret', encryptionAvailable: true })).toMatchObject({ protection: 'os_keychain', backend: 'the GNOME keyring (libsecret)' });
    for (const wallet of ['kwallet', 'kwallet5', 'kwallet6']) {
      expect(keyStoragePolicy({ platform: 'linux', linuxBackend: wallet, encryptionAvailable: true })).toMatchObject({ protection: 'os_keychain', backend: 'KWallet' });
    }
  });

  it('Linux with basic_text (no keyring), or a backend not known yet, is not a keyring: session only unless confirmed', () => {
    for (const backend of ['basic_text', 'unknown']) {
      const policy = keyStoragePolicy({ platform: 'linux', linuxBackend: backend, encryptionAvailable: true });
      expect(policy).toMatchObject({ protection: 'basic_text', backend: null, session_only_by_default: true });
      expect(policy.message).toContain('No keyring (GNOME Keyring or KWallet) was found');
    }
  });

  it('no encryption at all: session only, on every OS', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      expect(keyStoragePolicy({ platform, linuxBackend: 'gnome_libsecret', encryptionAvailable: false })).toMatchObject({ protection: 'unavailable', session_only_by_default: true });
    }
  });
});

describe('the desktop vault follows the policy', () => {
  it('with a keyring a key is saved encrypted and is there after a restart', () => {
    const { settings, file, reopen } = settingsOn({ platform: 'linux', linuxBackend: 'gnome_libsecret', encryptionAvailable: true });
    const view = settings.update({ keys: { orb: KEY } });
    expect(view.keys.find((k) => k.provider === 'orb')).toEqual({ provider: 'orb', configured: true, masked: '…6789', stored_in: 'safe_storage' });
    expect(view.key_storage.protection).toBe('os_keychain');
    expect(diskText(file)).not.toContain(KEY);
    expect(diskText(file)).toContain('encrypted_keys');
    expect(reopen().view().keys.find((k) => k.provider === 'orb')).toMatchObject({ configured: true, stored_in: 'safe_storage' });
  });

  it('basic_text without confirmation: the key works for this session and nothing is written to disk', () => {
    const { settings, file, reopen } = settingsOn({ platform: 'linux', linuxBackend: 'basic_text', encryptionAvailable: true });
    const view = settings.update({ keys: { orb: KEY } });
    expect(view.keys.find((k) => k.provider === 'orb')).toEqual({ provider: 'orb', configured: true, masked: '…6789', stored_in: 'session' });
    expect(view.key_storage).toMatchObject({ protection: 'basic_text', session_only_by_default: true });
    expect(diskText(file)).not.toContain('encrypted_keys');
    // After a restart it is gone: it was never on disk.
    expect(reopen().view().keys.find((k) => k.provider === 'orb')).toMatchObject({ configured: false, stored_in: null });
  });

  it('basic_text with confirmation: saved on disk and shown as saved without a keyring; a later session-only key replaces it on disk too', () => {
    const { settings, file, reopen } = settingsOn({ platform: 'linux', linuxBackend: 'basic_text', encryptionAvailable: true });
    const saved = settings.update({ keys: { orb: KEY }, save_keys_without_keyring: true });
    expect(saved.keys.find((k) => k.provider === 'orb')).toMatchObject({ configured: true, stored_in: 'basic_text' });
    expect(diskText(file)).toContain('encrypted_keys');
    expect(reopen().view().keys.find((k) => k.provider === 'orb')).toMatchObject({ configured: true, stored_in: 'basic_text' });
    const replaced = settings.update({ keys: { orb: 'orb_live_key_session_9999' } });
    expect(replaced.keys.find((k) => k.provider === 'orb')).toMatchObject({ masked: '…9999', stored_in: 'session' });
    expect(JSON.parse(diskText(file)).encrypted_keys).toEqual({});
    expect(settings.update({ keys: { orb: null } }).keys.find((k) => k.provider === 'orb')).toMatchObject({ configured: false });
  });

  it('no encryption: session only, and asking to save on disk is refused with the reason', () => {
    const { settings, file } = settingsOn({ platform: 'darwin', linuxBackend: null, encryptionAvailable: false });
    expect(settings.update({ keys: { stripe: 'rk_live_abcdefgh1234' } }).keys[0]).toMatchObject({ configured: true, stored_in: 'session' });
    expect(() => settings.update({ keys: { stripe: 'rk_live_abcdefgh1234' }, save_keys_without_keyring: true })).toThrow(/no way to encrypt keys/);
    expect(diskText(file)).not.toContain('rk_live');
  });
});
