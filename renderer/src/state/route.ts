// Hash routes: the page's location says which screen, which account, the as-of instant and the screen's
// filters (`#/accounts?asof=2025-01-10&q=acme`), so a view can be bookmarked and shared, and Back works.
import type { AccountRef } from '../../../core/api/types';

export type Route =
  | { screen: 'accounts' }
  | { screen: 'account'; account: AccountRef }
  | { screen: 'customer'; customerId: string | null }
  | { screen: 'import' }
  | { screen: 'reconciliation'; runId?: string; itemId?: string }
  | { screen: 'liability' }
  | { screen: 'settings' };

const NO_SUBSCRIPTION = 'none';
/** The query key of the as-of instant; it travels with every link, so switching screens keeps it. */
export const AS_OF_PARAM = 'asof';

function routePath(route: Route): string {
  switch (route.screen) {
    case 'account': {
      const { customer_id, subscription_id, unit } = route.account;
      const subscription = subscription_id === null ? NO_SUBSCRIPTION : `s:${encodeURIComponent(subscription_id)}`;
      return `#/account/${encodeURIComponent(customer_id)}/${subscription}/${encodeURIComponent(unit)}`;
    }
    case 'customer':
      return route.customerId === null ? '#/customer' : `#/customer/${encodeURIComponent(route.customerId)}`;
    case 'reconciliation':
      // One item of one run: the customer timeline links here.
      return route.runId === undefined || route.itemId === undefined
        ? '#/reconciliation'
        : `#/reconciliation/${encodeURIComponent(route.runId)}/${encodeURIComponent(route.itemId)}`;
    default:
      return `#/${route.screen}`;
  }
}

/** The as-of instant the links carry (the store keeps it in step with its own). */
let linkAsOf: string | null = null;

export function setLinkAsOf(asOf: string | null): void {
  linkAsOf = asOf;
}

function withQuery(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query === '' ? path : `${path}?${query}`;
}

/** A link to `route` at the current as-of instant, with the screen's own `params` (filters). */
export function routeHref(route: Route, params: Record<string, string> = {}): string {
  const query = new URLSearchParams();
  if (linkAsOf !== null) query.set(AS_OF_PARAM, linkAsOf);
  for (const [key, value] of Object.entries(params)) query.set(key, value);
  return withQuery(routePath(route), query);
}

/** The query part of a hash route ("" when none). */
export function hashParams(hash: string): URLSearchParams {
  const at = hash.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : hash.slice(at + 1));
}

/** The hash's route without its query: what decides which screen is mounted. */
export function hashPath(hash: string): string {
  return hash.replace(/^#/, '').split('?')[0] ?? '';
}

export function parseRoute(hash: string): Route {
  const parts = hashPath(hash)
    .split('/')
    .filter((part) => part !== '');
  const decode = (text: string | undefined): string | null => {
    if (text === undefined) return null;
    try {
      return decodeURIComponent(text);
    } catch {
      return null;
    }
  };
  switch (parts[0]) {
    case 'account': {
      const customer = decode(parts[1]);
      const unit = decode(parts[3]);
      const subscriptionPart = parts[2];
      if (customer === null || unit === null || subscriptionPart === undefined) return { screen: 'accounts' };
      const subscription = subscriptionPart === NO_SUBSCRIPTION ? null : decode(subscriptionPart.replace(/^s:/, ''));
      return { screen: 'account', account: { customer_id: customer, subscription_id: subscription, unit } };
    }
    case 'customer':
      return { screen: 'customer', customerId: decode(parts[1]) };
    case 'reconciliation': {
      const runId = decode(parts[1]);
      const itemId = decode(parts[2]);
      return runId === null || itemId === null ? { screen: 'reconciliation' } : { screen: 'reconciliation', runId, itemId };
    }
    case 'import':
    case 'liability':
    case 'settings':
      return { screen: parts[0] };
    default:
      return { screen: 'accounts' };
  }
}

/** Goes to `route` (a new history entry: Back returns here). */
export function navigate(route: Route, params: Record<string, string> = {}): void {
  window.location.hash = routeHref(route, params);
}

/** This page's query parameters (the screen's filters and the as-of instant). */
export function currentParams(): URLSearchParams {
  return hashParams(window.location.hash);
}

/**
 * Writes a screen's filters into the address without a new history entry (typing in a search box is
 * not a step Back should replay); null removes a key. The as-of key is the store's, never set here.
 */
export function replaceParams(update: Record<string, string | null>): void {
  const params = currentParams();
  for (const [key, value] of Object.entries(update)) {
    if (value === null || value === '') params.delete(key);
    else params.set(key, value);
  }
  const hash = withQuery(`#${hashPath(window.location.hash) || '/'}`, params);
  if (hash !== window.location.hash) history.replaceState(history.state, '', `${window.location.pathname}${window.location.search}${hash}`);
}

/** A new history entry for the same screen with the as-of instant changed (Back returns to the previous one). */
export function pushAsOf(asOf: string | null): void {
  const params = currentParams();
  if (asOf === null) params.delete(AS_OF_PARAM);
  else params.set(AS_OF_PARAM, asOf);
  const hash = withQuery(`#${hashPath(window.location.hash) || '/'}`, params);
  if (hash !== window.location.hash) window.location.hash = hash;
}
