export interface ElectronBinary {
  /** The electron package's version ('' when the package is not installed). */
  version: string;
  /** Absolute path of the executable, or null when it is missing. */
  executablePath: string | null;
  /** Why the executable is missing, one line; null when it is present. */
  reason: string | null;
}

export function findElectronBinary(root: string): ElectronBinary;
