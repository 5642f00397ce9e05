// The page's entry, kept tiny (DESIGN §8: first paint of the account view): it keeps the token from the
// URL and, when the page opens on an account, asks for its first entries and its balances before React
// and the app (main.tsx, a chunk of its own) are parsed and started; the screens' identical calls take
// those replies.
import { prefetch, takeTokenFromUrl } from './api/client';
import { entriesFilterFromParams, firstEntriesPage } from './screens/account/entries-query';
import { fromAsOfInput } from './format';
import { AS_OF_PARAM, hashParams, parseRoute } from './state/route';
import './styles.css';

takeTokenFromUrl();
// React and the app: index.html preloads this chunk already (electron.vite.config.ts), so it is not
// queued behind the requests below at a host that answers on one thread.
import('./main').catch((error: unknown) => {
  const root = document.getElementById('root');
  if (root !== null) root.textContent = `Ledgerscope could not load (${String(error)}). Reload the page.`;
});
const route = parseRoute(window.location.hash);
if (route.screen === 'account') {
  // At the instant the address names, as the screens will ask (store.ts reads it the same way).
  const params = hashParams(window.location.hash);
  const asOfText = params.get(AS_OF_PARAM);
  const asOf = asOfText === null ? null : fromAsOfInput(asOfText);
  // Entries before balances: the table is what the user waits for.
  prefetch('entries.list', firstEntriesPage(route.account, asOf, entriesFilterFromParams(params)));
  prefetch('account.get', { account: route.account, ...(asOf === null ? {} : { as_of: asOf }) });
}
