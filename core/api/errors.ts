import type { ApiErrorCode } from './contract.js';

/**
 * An error a handler throws on purpose: its code and message reach the renderer as they are (a bad
 * as-of date, an unknown customer). Any other thrown error is reported as `internal`.
 */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
