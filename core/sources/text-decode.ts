import { fileProblem } from './problems.js';
import type { ImportProblem } from './types.js';

/*
 * The one door from a file's bytes to its text, for every file read for an import or an audit (issue 10
 * item 2). Reading as UTF-8 with replacement characters mojibaked Latin-1 exports and merged two ids that
 * differed only in invalid bytes into one entry; so invalid UTF-8 is refused, naming the file, the line
 * and the byte offset (from 0) of the first bad byte. A UTF-16 file announces itself with a byte-order mark: it is
 * decoded as UTF-16 (little or big endian, as the mark says) and the caller says so.
 */

export type TextEncodingName = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE';

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
}

/** The file's bytes are not valid text in its encoding; `problem` names file, line and byte offset. */
export class TextEncodingError extends Error {
  constructor(readonly problem: ImportProblem) {
    super(`${problem.file}${problem.line === null ? '' : `:${problem.line}`}: ${problem.message}`);
    this.name = 'TextEncodingError';
  }
}

const ASK = 'save the file as UTF-8 and import it again';

function hex(bytes: Uint8Array, from: number, count: number): string {
  const shown: string[] = [];
  for (let k = from; k < Math.min(bytes.length, from + count); k++) shown.push(`0x${bytes[k]!.toString(16).toUpperCase().padStart(2, '0')}`);
  return shown.join(' ');
}

/**
 * Offset of the first byte that starts an ill-formed UTF-8 sequence (the rules of Unicode's table 3-7,
 * which TextDecoder's fatal mode applies), or -1 when every byte is well formed.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b === 0xe0) (need = 2), (low = 0xa0);
    else if (b === 0xed) (need = 2), (high = 0x9f);
    else if (b >= 0xe1 && b <= 0xef) need = 2;
    else if (b === 0xf0) (need = 3), (low = 0x90);
    else if (b === 0xf4) (need = 3), (high = 0x8f);
    else if (b >= 0xf1 && b <= 0xf3) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = i + k < n ? bytes[i + k]! : -1;
      const min = k === 1 ? low : 0x80;
      const max = k === 1 ? high : 0xbf;
      if (c < min || c > max) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line of a byte offset: newlines (0x0A) before it, plus one. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let at = bytes.indexOf(0x0a); at !== -1 && at < offset; at = bytes.indexOf(0x0a, at + 1)) line++;
  return line;
}

/** Offset (in code units) of the first unpaired surrogate of UTF-16 text, or -1. */
function firstUnpairedSurrogate(units: (k: number) => number, count: number): number {
  for (let k = 0; k < count; k++) {
    const u = units(k);
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = k + 1 < count ? units(k + 1) : -1;
      if (next >= 0xdc00 && next <= 0xdfff) k++;
      else return k;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return k;
    }
  }
  return -1;
}

function decodeUtf16(file: string, bytes: Uint8Array, encoding: 'UTF-16LE' | 'UTF-16BE'): DecodedText {
  const label = encoding === 'UTF-16LE' ? 'utf-16le' : 'utf-16be';
  try {
    return { text: new TextDecoder(label, { fatal: true }).decode(bytes), encoding };
  } catch {
    const little = encoding === 'UTF-16LE';
    const count = Math.floor(bytes.length / 2);
    const unit = (k: number): number => (little ? bytes[2 * k]! | (bytes[2 * k + 1]! << 8) : (bytes[2 * k]! << 8) | bytes[2 * k + 1]!);
    const bad = firstUnpairedSurrogate(unit, count);
    const offset = bad === -1 ? bytes.length - 1 : 2 * bad;
    let line = 1;
    for (let k = 1; k < offset / 2; k++) if (unit(k) === 0x0a) line++;
    const what = bad === -1 ? 'an odd number of bytes (the last character is cut in half)' : `an unpaired surrogate (${hex(bytes, offset, 2)})`;
    throw new TextEncodingError(
      fileProblem(file, `not valid ${encoding} (the file starts with its byte-order mark): byte offset ${offset} holds ${what}; ${ASK}`, line),
    );
  }
}

/**
 * A file's text: UTF-8 (a UTF-8 byte-order mark is dropped), or UTF-16 when a UTF-16 byte-order mark
 * says so. Throws TextEncodingError at the first byte that is not valid in that encoding.
 */
export function decodeTextFile(file: string, bytes: Uint8Array): DecodedText {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return decodeUtf16(file, bytes, 'UTF-16LE');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return decodeUtf16(file, bytes, 'UTF-16BE');
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' };
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    const at = offset === -1 ? bytes.length - 1 : offset;
    throw new TextEncodingError(
      fileProblem(
        file,
        `not valid UTF-8: byte offset ${at} holds ${hex(bytes, at, 1)} (a Latin-1 or Windows-1252 export?); ${ASK}`,
        lineOfByte(bytes, at),
      ),
    );
  }
}
