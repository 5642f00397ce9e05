// Hash routes: the page's location says which screen and which account, so reload and back work.
import type { AccountRef } from '../../../core/api/types';

export type Route =
  | { screen: 'accounts' }
  | { screen: 'account'; account: AccountRef }
  | { screen: 'customer'; customerId: string | null }
  | { screen: 'import' }
  | { screen: 'reconciliation' }
  | { screen: 'liability' }
  | { screen: 'settings' };

const NO_SUBSCRIPTION = 'none';

export function routeHref(route: Route): string {
  switch (route.screen) {
    case 'account': {
      const { customer_id, subscription_id, unit } = route.account;
      const subscription = subscription_id === null ? NO_SUBSCRIPTION : `s:${encodeURIComponent(subscription_id)}`;
      return `#/account/${encodeURIComponent(customer_id)}/${subscription}/${encodeURIComponent(unit)}`;
    }
    case 'customer':
      return route.customerId === null ? '#/customer' : `#/customer/${encodeURIComponent(route.customerId)}`;
    default:
      return `#/${route.screen}`;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?')[0] ?? '';
  const parts = path.split('/').filter((part) => part !== '');
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
    case 'import':
    case 'reconciliation':
    case 'liability':
    case 'settings':
      return { screen: parts[0] };
    default:
      return { screen: 'accounts' };
  }
}

export function navigate(route: Route): void {
  window.location.hash = routeHref(route);
}
