// Not `import ... from 'node:fs'`: in an ES module that builds a facade of every fs export first (loading
// fs/promises), ~2 ms of `ledgerscope --help`, whose only other module this is.
const { writeSync } = process.getBuiltinModule('node:fs');

/** Synchronous writes: the process may exit right after, and large JSON must not be cut off. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** UTF-8 bytes to stdout as they are (large output read from storage); without it, out() gets them decoded. */
  outBytes?(bytes: Uint8Array): void;
}

function writeAll(fd: number, text: string): void {
  writeAllBytes(fd, Buffer.from(text, 'utf8'));
}

function writeAllBytes(fd: number, buffer: Uint8Array): void {
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      // A non-blocking pipe that is full: try again until the reader drains it.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

export const processIo: CliIo = {
  out: (text) => writeAll(1, text),
  err: (text) => writeAll(2, text),
  outBytes: (bytes) => writeAllBytes(1, bytes),
};
