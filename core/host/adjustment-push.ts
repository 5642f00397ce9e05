import type { Handlers } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { HostEvent } from '../api/types.js';
import { pushApiBasesFromEnvironment, pushClientsFromKeys } from '../service/adjustment-push-clients.js';
import type { AppService } from '../service/app-service.js';
import { describeRetryWait } from '../sync/retry-wait.js';
import type { KeyVault } from './settings.js';

/*
 * adjustment.list, adjustment.push and adjustment.pushCancel for both hosts: the keys are the host's
 * (desktop: safeStorage, browser mode: the environment), read at each call so a key added in Settings
 * counts at once. The API bases are the live ones unless LEDGERSCOPE_ORB_API_BASE /
 * LEDGERSCOPE_MOESIF_API_BASE say otherwise (the end-to-end tests point them at local servers).
 * A push can pause up to a minute per retry when a provider asks it to wait: its progress, and each
 * wait with its reason, go to the page as `push` events, and pushCancel stops it.
 */

/** The push under way in this host (one at a time): outlives the handler objects, which a host may rebuild per call. */
export class PushSession {
  private current: AbortController | null = null;

  /** Runs one push; a second while one is under way is refused (the first one's dialog is still open). */
  async run<T>(push: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.current !== null) throw new ApiError('conflict', 'a push is already under way: wait for it or cancel it');
    const controller = new AbortController();
    this.current = controller;
    try {
      return await push(controller.signal);
    } finally {
      this.current = null;
    }
  }

  cancel(): boolean {
    if (this.current === null || this.current.signal.aborted) return false;
    this.current.abort(new Error('the push was cancelled'));
    return true;
  }
}

export function adjustmentPushHandlers(
  service: AppService,
  vault: KeyVault,
  session: PushSession,
  emit: (event: HostEvent) => void,
  env: Record<string, string | undefined> = process.env,
  operator: () => string | null = () => null,
): Pick<Handlers, 'adjustment.list' | 'adjustment.push' | 'adjustment.pushCancel'> {
  return {
    'adjustment.list': (input) => service.adjustmentList(input, { orb: vault.get('orb') !== null, moesif: vault.get('moesif') !== null }),
    'adjustment.push': (input) =>
      session.run((signal) => {
        let at = { done: 0, total: 0, idempotency_key: null as string | null };
        const clients = pushClientsFromKeys(
          { orbApiKey: vault.get('orb'), moesifToken: vault.get('moesif'), ...pushApiBasesFromEnvironment(env) },
          { onWait: (wait) => emit({ type: 'push', progress: { ...at, waiting: describeRetryWait(wait) } }) },
        );
        return service.adjustmentPush(input, clients, operator(), {
          signal,
          onProgress: (progress) => {
            at = progress;
            emit({ type: 'push', progress: { ...progress, waiting: null } });
          },
        });
      }),
    'adjustment.pushCancel': () => ({ cancelled: session.cancel() }),
  };
}
