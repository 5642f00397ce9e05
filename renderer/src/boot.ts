// The page's entry, kept tiny (DESIGN §8: first paint of the account view): it keeps the token from the
// URL and, when the page opens on an account, asks for its first entries and its balances before React
// and the app (main.tsx, a chunk of its own) are parsed and started; the screens' identical calls take
// those replies.
import { prefetch, takeTokenFromUrl } from './api/client';
import { firstEntriesPage } from './screens/account/entries-query';
import { parseRoute } from './state/route';
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
  // Entries before balances: the table is what the user waits for.
  prefetch('entries.list', firstEntriesPage(route.account));
  prefetch('account.get', { account: route.account });
}
