import type { Handlers } from '../api/contract.js';
import { pushApiBasesFromEnvironment, pushClientsFromKeys } from '../service/adjustment-push-clients.js';
import type { AppService } from '../service/app-service.js';
import type { KeyVault } from './settings.js';

/*
 * adjustment.list and adjustment.push for both hosts: the keys are the host's (desktop: safeStorage,
 * browser mode: the environment), read at each call so a key added in Settings counts at once. The API
 * bases are the live ones unless LEDGERSCOPE_ORB_API_BASE / LEDGERSCOPE_MOESIF_API_BASE say otherwise
 * (the end-to-end tests point them at local servers).
 */
export function adjustmentPushHandlers(
  service: AppService,
  vault: KeyVault,
  env: Record<string, string | undefined> = process.env,
  operator: () => string | null = () => null,
): Pick<Handlers, 'adjustment.list' | 'adjustment.push'> {
  return {
    'adjustment.list': (input) => service.adjustmentList(input, { orb: vault.get('orb') !== null, moesif: vault.get('moesif') !== null }),
    'adjustment.push': (input) =>
      service.adjustmentPush(input, pushClientsFromKeys({ orbApiKey: vault.get('orb'), moesifToken: vault.get('moesif'), ...pushApiBasesFromEnvironment(env) }), operator()),
  };
}
