import { LosslessNumber } from 'lossless-json';

/*
 * An exact JSON parser whose numbers are LosslessNumbers (their literal text), linear in time and memory.
 *
 * lossless-json's own parser builds every string one character at a time (`result += text[i]`): a 50 MB
 * string became 50 million string pieces, 70 s and 3 GB before its error (issue 10 item 8). This is a port
 * of that parser, with its grammar and its error messages (users and tests read them), whose strings are
 * scanned once and then cut out with one slice, or decoded by the native JSON.parse when they hold escapes.
 * Duplicate keys: the last wins (as JSON.parse); `__proto__` is an own property, never the prototype.
 */

/** Deeper nesting than this is refused (records are a few levels deep; recursion must stay bounded). */
export const MAX_JSON_DEPTH = 1000;

// Sticky regexes skip long runs natively (a 50 MB string or number is one regex step, not 50 million).
const PLAIN_STRING_RUN = /[^"\\\x00-\x1f]*/y;
const DIGIT_RUN = /[0-9]*/y;

function skipRun(run: RegExp, text: string, from: number): number {
  run.lastIndex = from;
  run.test(text);
  return run.lastIndex;
}

const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13;
}

/** What a value is in a check-only pass: any defined placeholder (nothing is built). */
const CHECKED = true;

/**
 * Parses `text`; with `build` false it only checks the grammar and allocates nothing per value, so a
 * malformed document costs one pass and no memory before its error (parseJsonLosslessly checks first).
 */
export function parseExactJson(text: string, build = true): unknown {
  let i = 0;
  let depth = 0;

  const pos = (): string => `at position ${i}`;
  const got = (): string => (i < text.length ? `but got '${text[i]}'` : 'but reached end of input');
  const gotAt = (): string => `${got()} ${pos()}`;

  function skipWhitespace(): void {
    while (isWhitespace(text.charCodeAt(i))) i++;
  }

  function enter(): void {
    if (++depth > MAX_JSON_DEPTH) throw new SyntaxError(`Nested deeper than ${MAX_JSON_DEPTH} levels ${pos()}`);
  }

  function parseValue(): unknown {
    skipWhitespace();
    const code = text.charCodeAt(i);
    let value: unknown;
    if (code === 34) value = parseString();
    else if (code === 123) value = parseObject();
    else if (code === 91) value = parseArray();
    else if (code === 45 || isDigit(code)) value = parseNumeric();
    else if (text.startsWith('true', i)) {
      i += 4;
      value = true;
    } else if (text.startsWith('false', i)) {
      i += 5;
      value = false;
    } else if (text.startsWith('null', i)) {
      i += 4;
      value = null;
    }
    skipWhitespace();
    return value;
  }

  function parseObject(): Record<string, unknown> | typeof CHECKED {
    enter();
    i++;
    skipWhitespace();
    const object: Record<string, unknown> | null = build ? {} : null;
    let initial = true;
    while (i < text.length && text.charCodeAt(i) !== 125) {
      if (!initial) {
        if (text.charCodeAt(i) !== 44) throw new SyntaxError(`Comma ',' expected after value ${gotAt()}`);
        i++;
        skipWhitespace();
      } else {
        initial = false;
      }
      if (text.charCodeAt(i) !== 34) throw new SyntaxError(`Quoted object key expected ${gotAt()}`);
      const key = parseString();
      skipWhitespace();
      if (text.charCodeAt(i) !== 58) throw new SyntaxError(`Colon ':' expected after property name ${gotAt()}`);
      i++;
      const value = parseValue();
      if (value === undefined) throw new SyntaxError(`Object value expected after ':' ${pos()}`);
      if (object === null) {
        // checking only
      } else if (key === '__proto__') {
        // Plain assignment would set the prototype; JSON.parse makes an ordinary own property.
        Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      } else {
        object[key] = value;
      }
    }
    if (text.charCodeAt(i) !== 125) throw new SyntaxError(`Quoted object key or end of object '}' expected ${gotAt()}`);
    i++;
    depth--;
    return object ?? CHECKED;
  }

  function parseArray(): unknown[] | typeof CHECKED {
    enter();
    i++;
    skipWhitespace();
    const array: unknown[] | null = build ? [] : null;
    let initial = true;
    while (i < text.length && text.charCodeAt(i) !== 93) {
      if (!initial) {
        if (text.charCodeAt(i) !== 44) throw new SyntaxError(`Comma ',' expected after value ${gotAt()}`);
        i++;
      } else {
        initial = false;
      }
      const value = parseValue();
      if (value === undefined) throw new SyntaxError(`Array item expected ${gotAt()}`);
      array?.push(value);
    }
    if (text.charCodeAt(i) !== 93) throw new SyntaxError(`Array item or end of array ']' expected ${gotAt()}`);
    i++;
    depth--;
    return array ?? CHECKED;
  }

  /** One pass to find the end and check every character; then one slice (or one native decode). */
  function parseString(): string {
    const start = i;
    i++;
    let escaped = false;
    while (i < text.length) {
      i = skipRun(PLAIN_STRING_RUN, text, i);
      const code = text.charCodeAt(i);
      if (code === 34 || i >= text.length) break;
      if (code === 92) {
        const char = text[i + 1];
        if (char !== undefined && ESCAPES.has(char)) {
          i += 2;
        } else if (char === 'u') {
          if (!(isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3)) && isHex(text.charCodeAt(i + 4)) && isHex(text.charCodeAt(i + 5)))) {
            throw new SyntaxError(`Invalid unicode character '${text.slice(i, i + 6)}' ${pos()}`);
          }
          i += 6;
        } else {
          throw new SyntaxError(`Invalid escape character '${text.slice(i, i + 2)}' ${pos()}`);
        }
        escaped = true;
      } else {
        throw new SyntaxError(`Invalid character '${text[i]}' ${pos()}`);
      }
    }
    if (text.charCodeAt(i) !== 34) throw new SyntaxError(`End of string '"' expected ${gotAt()}`);
    i++;
    if (!build) return '';
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  }

  function expectDigit(start: number): void {
    if (!isDigit(text.charCodeAt(i))) {
      throw new SyntaxError(`Invalid number '${text.slice(start, i)}', expecting a digit ${gotAt()}`);
    }
  }

  function parseNumeric(): LosslessNumber | typeof CHECKED | undefined {
    const start = i;
    if (text.charCodeAt(i) === 45) {
      i++;
      expectDigit(start);
    }
    if (text.charCodeAt(i) === 48) {
      i++;
    } else if (isDigit(text.charCodeAt(i))) {
      i = skipRun(DIGIT_RUN, text, i + 1);
    } else {
      return undefined;
    }
    if (text.charCodeAt(i) === 46) {
      i++;
      expectDigit(start);
      i = skipRun(DIGIT_RUN, text, i);
    }
    if (text.charCodeAt(i) === 101 || text.charCodeAt(i) === 69) {
      i++;
      if (text.charCodeAt(i) === 45 || text.charCodeAt(i) === 43) i++;
      expectDigit(start);
      i = skipRun(DIGIT_RUN, text, i);
    }
    return build ? new LosslessNumber(text.slice(start, i)) : CHECKED;
  }

  const value = parseValue();
  if (value === undefined) throw new SyntaxError(`JSON value expected ${gotAt()}`);
  if (i < text.length) throw new SyntaxError(`Expected end of input ${gotAt()}`);
  return value;
}
