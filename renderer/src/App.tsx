import { useEffect, useState } from 'react';

type Host = { kind: 'desktop'; version: string } | { kind: 'browser' } | { kind: 'pending' };

/** Which host serves us: the Electron window exposes `window.ledgerscope`, browser mode does not. */
function useHost(): Host {
  const [host, setHost] = useState<Host>(() => (window.ledgerscope ? { kind: 'pending' } : { kind: 'browser' }));
  useEffect(() => {
    const bridge = window.ledgerscope;
    if (!bridge) return;
    let live = true;
    void bridge.invoke('app.version').then((result) => {
      if (live && result.ok) setHost({ kind: 'desktop', version: result.value.version });
    });
    return () => {
      live = false;
    };
  }, []);
  return host;
}

function hostLabel(host: Host): string {
  switch (host.kind) {
    case 'desktop':
      return `Desktop ${host.version}`;
    case 'browser':
      return 'Browser mode';
    case 'pending':
      return 'Desktop';
  }
}

export function App() {
  const host = useHost();
  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-name">Ledgerscope</h1>
        <span className="app-host" data-testid="host">
          {hostLabel(host)}
        </span>
      </header>
      <main className="app-main">
        <section className="empty-state" aria-labelledby="empty-title">
          <h2 id="empty-title">No ledger yet</h2>
          <p>
            Import a ledger to begin: an Orb ledger export, Moesif balance transactions or Stripe export files.
            Everything stays on this machine.
          </p>
          <p className="hint">
            From a terminal: <code>ledgerscope import &lt;file&gt; --db &lt;path&gt;</code>
          </p>
        </section>
      </main>
    </div>
  );
}
