import { z } from 'zod';
import { contract, isMethodName, type ApiResult, type Handlers, type MethodName } from '../api/contract.js';
import { ApiError } from '../api/errors.js';

/*
 * The door every host goes through (STYLE habit 4): the method must be in the contract, the input is
 * parsed as unknown against its schema, and only then does a handler see it. The Electron IPC bridge
 * (electron/main/ipc-router.ts) and the HTTP host (core/host/http-host.ts) both call `dispatch`.
 */

export type { Handler, Handlers } from '../api/contract.js';

export function validateInput(method: unknown, input: unknown): ApiResult<{ method: MethodName; input: unknown }> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'unknown_method', message: `unknown method ${JSON.stringify(method)}` } };
  }
  const parsed = contract[method].input.safeParse(input);
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_input', message: `${method}: ${z.prettifyError(parsed.error)}` } };
  }
  return { ok: true, value: { method, input: parsed.data } };
}

/** Validates, calls, and turns every failure into a value (an IPC or HTTP error would lose the message). */
export async function dispatch(handlers: Handlers, method: unknown, input: unknown): Promise<ApiResult<unknown>> {
  const valid = validateInput(method, input);
  if (!valid.ok) return valid;
  const name = valid.value.method;
  const handler = handlers[name] as (input: unknown) => unknown;
  try {
    return { ok: true, value: await handler(valid.value.input) };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error: { code: error.code, message: error.message } };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'internal', message: `${name}: ${message}` } };
  }
}
