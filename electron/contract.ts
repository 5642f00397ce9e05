// Placeholder IPC contract, shared by main, preload and renderer (types only for the renderer).
// The real one (method name → zod input schema → output type) moves to core/api in a later issue;
// until then `app.version` is the only method. No runtime imports here: the sandboxed preload bundles it.

/** The one IPC channel between the preload and main. */
export const IPC_CHANNEL = 'ledgerscope:invoke';

/** Method name → input and output. Names are `domain.verb`. */
export interface Methods {
  'app.version': { input: undefined; output: { version: string } };
}

export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = Methods[M]['input'];
export type MethodOutput<M extends MethodName> = Methods[M]['output'];

export type InvokeErrorCode = 'unknown_method' | 'forbidden_sender' | 'invalid_input' | 'internal';

/** Every call resolves to a value; errors are values the renderer can show, never a thrown IPC error. */
export type InvokeResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: InvokeErrorCode; message: string } };

/** What the preload exposes as `window.ledgerscope`. */
export interface LedgerscopeBridge {
  invoke<M extends MethodName>(method: M, input?: MethodInput<M>): Promise<InvokeResult<MethodOutput<M>>>;
}
