import { useEffect, useLayoutEffect, useState } from 'react';
import type { MenuCommand } from '../../core/api/types';
import { call, isDesktop, subscribeEvents } from './api/client';
import { errorMessage } from './api/hooks';
import { AsOfControl } from './components/AsOfControl';
import { ShortcutsDialog } from './components/ShortcutsDialog';
import { focusAfterNavigation, focusScreenHeading, useFocusOnNavigation, useFocusRescue } from './focus';
import { formatCountOf } from './format';
import { AccountScreen } from './screens/AccountScreen';
import { AccountsScreen } from './screens/AccountsScreen';
import { CustomerScreen } from './screens/CustomerScreen';
import { exportBalances } from './screens/export';
import { ImportScreen, requestPick } from './screens/ImportScreen';
import { ReconciliationScreen } from './screens/ReconciliationScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { LiabilityScreen } from './screens/LiabilityScreen';
import { AS_OF_PARAM, hashParams, hashPath, navigate, routeHref, type Route } from './state/route';
import { useApp } from './state/store';

const NAV: { label: string; route: Route; key: string }[] = [
  { label: 'Accounts', route: { screen: 'accounts' }, key: '1' },
  { label: 'Customer timeline', route: { screen: 'customer', customerId: null }, key: '2' },
  { label: 'Import', route: { screen: 'import' }, key: '3' },
  { label: 'Reconciliation', route: { screen: 'reconciliation' }, key: '4' },
  { label: 'Settings', route: { screen: 'settings' }, key: '5' },
  { label: 'Credit liability', route: { screen: 'liability' }, key: '6' },
];

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function onMenu(command: MenuCommand): void {
  switch (command) {
    case 'go_accounts':
      return navigate({ screen: 'accounts' });
    case 'go_customer':
      return navigate({ screen: 'customer', customerId: null });
    case 'go_import':
      return navigate({ screen: 'import' });
    case 'go_reconciliation':
      return navigate({ screen: 'reconciliation' });
    case 'go_settings':
      return navigate({ screen: 'settings' });
    case 'import_files':
      navigate({ screen: 'import' });
      return requestPick();
    case 'export_balances':
      return void exportBalances(useApp.getState().asOf, 'csv');
    case 'show_shortcuts':
      return useApp.getState().setShortcutsOpen(true);
  }
}

function useHostConnection(): void {
  const setInfo = useApp((state) => state.setInfo);
  const dataVersion = useApp((state) => state.dataVersion);
  useEffect(() => {
    call('app.info', {}).then(
      (info) => setInfo(info),
      (error: unknown) => setInfo(null, errorMessage(error)),
    );
  }, [dataVersion, setInfo]);
  useEffect(
    () =>
      subscribeEvents((event) => {
        const state = useApp.getState();
        if (event.type === 'job') state.jobUpdated(event.job);
        else if (event.type === 'data_changed') state.dataChanged();
        else if (event.type === 'menu') onMenu(event.command);
        // `push` events are the push dialog's own (PostedAdjustments.tsx).
      }),
    [],
  );
}

function useGlobalKeys(): void {
  // A layout effect: the shortcuts listen before the first paint, so a key pressed as soon as the screen
  // shows is never lost (a passive effect may run after the paint).
  useLayoutEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.altKey && !event.ctrlKey && !event.metaKey) {
        const target = NAV.find((item) => item.key === event.key || `Digit${item.key}` === event.code);
        if (target !== undefined) {
          event.preventDefault();
          navigate(target.route);
          return;
        }
        if (event.code === 'KeyA') {
          event.preventDefault();
          document.getElementById('as-of-input')?.focus();
          return;
        }
      }
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === '?') {
        event.preventDefault();
        useApp.getState().setShortcutsOpen(true);
      } else if (event.key === '/') {
        event.preventDefault();
        if (useApp.getState().route.screen !== 'accounts') {
          focusAfterNavigation('#accounts-search');
          navigate({ screen: 'accounts' });
        } else document.getElementById('accounts-search')?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** The screen a location shows, filters included but not the as-of instant (which only refetches). */
function locationKey(hash: string): string {
  const params = hashParams(hash);
  params.delete(AS_OF_PARAM);
  return `${hashPath(hash)}?${params.toString()}`;
}

/** Follows the address (links, Back, Forward); returns the key the mounted screen is keyed by. */
function useRouteSync(): string {
  const syncFromUrl = useApp((state) => state.syncFromUrl);
  const [key, setKey] = useState(() => locationKey(window.location.hash));
  useEffect(() => {
    const onHash = (): void => {
      syncFromUrl(window.location.hash);
      setKey(locationKey(window.location.hash));
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [syncFromUrl]);
  return key;
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'accounts':
      return <AccountsScreen />;
    case 'account':
      return <AccountScreen account={route.account} />;
    case 'customer':
      return <CustomerScreen customerId={route.customerId} />;
    case 'import':
      return <ImportScreen />;
    case 'reconciliation':
      return <ReconciliationScreen focus={route.runId === undefined || route.itemId === undefined ? null : { runId: route.runId, itemId: route.itemId }} />;
    case 'settings':
      return <SettingsScreen />;
    case 'liability':
      return <LiabilityScreen />;
  }
}

export function App() {
  useHostConnection();
  useGlobalKeys();
  const screenKey = useRouteSync();
  useFocusOnNavigation(hashPath(screenKey));
  useFocusRescue();
  const route = useApp((state) => state.route);
  // The links carry the as-of instant: render them again when it changes.
  useApp((state) => state.asOf);
  const info = useApp((state) => state.info);
  const infoError = useApp((state) => state.infoError);
  const current = route.screen === 'account' ? 'accounts' : route.screen;

  return (
    <div className="app">
      {/* A button, not href="#main": the address's fragment is the route. */}
      <button type="button" className="skip-link" onClick={focusScreenHeading} data-testid="skip-link">
        Skip to main content
      </button>
      <header className="app-header">
        <h1 className="app-name">Ledgerscope</h1>
        <nav aria-label="Screens">
          <ul className="nav">
            {NAV.map((item) => (
              <li key={item.label}>
                <a href={routeHref(item.route)} aria-current={item.route.screen === current ? 'page' : undefined} title={`Alt+${item.key}`}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="app-host" data-testid="host">
          {info === null
            ? infoError === null
              ? isDesktop()
                ? 'Desktop'
                : 'Browser mode'
              : 'Not connected'
            : `${info.host === 'desktop' ? 'Desktop' : 'Browser mode'} · ${info.database.name}${
                info.database.exists ? ` · ${formatCountOf(info.database.entry_count, 'entry', 'entries')}` : ' · empty'
              }`}
          {info?.database.read_only === true ? (
            <span className="read-only-badge" data-testid="read-only" title="The ledger file, its folder or its disk cannot be written: it can be viewed, not changed">
              {' '}
              · read-only
            </span>
          ) : null}
        </div>
      </header>
      <div className="toolbar">
        <AsOfControl />
        <button type="button" className="link-button" onClick={() => useApp.getState().setShortcutsOpen(true)}>
          Keyboard shortcuts (?)
        </button>
      </div>
      {infoError !== null ? (
        <div className="error-banner" role="alert">
          {infoError}
        </div>
      ) : null}
      <main id="main" className="app-main" tabIndex={-1}>
        <Screen key={screenKey} route={route} />
      </main>
      <ShortcutsDialog />
    </div>
  );
}
