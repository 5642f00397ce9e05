// Runs before the rest of the app (main.tsx imports it first): keeps the token from the URL and,
// when the page opens on an account, asks for its first entries while React is still loading.
import { prefetch, takeTokenFromUrl } from './api/client';
import { firstEntriesPage } from './screens/account/entries-query';
import { parseRoute } from './state/route';

takeTokenFromUrl();
const route = parseRoute(window.location.hash);
if (route.screen === 'account') prefetch('entries.list', firstEntriesPage(route.account));
