export type {
  ImportProblem,
  ParsedEntry,
  ParseOptions,
  ParseResult,
  RecordOrigin,
  SourceFormat,
  StatedBalances,
} from './types.js';
export { SOURCE_FORMATS } from './types.js';
export { formatProblem } from './problems.js';
export { detectFormat } from './detect.js';
export { parseImportFile } from './parse.js';
export { entryFingerprint } from './fingerprint.js';
export { generateMoesifJsonl, type GenerateMoesifOptions } from './generate-moesif.js';
export { decodeTextFile, TextEncodingError, type DecodedText, type TextEncodingName } from './text-decode.js';
