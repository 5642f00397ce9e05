import type { ReactNode } from 'react';

/** What to do next, where a screen has nothing to show. */
export function EmptyState({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="empty-state" aria-label={title} data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function ErrorBanner({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <div className="error-banner" role="alert">
      {message}
    </div>
  );
}

export function Loading({ label }: { label: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      {label}…
    </div>
  );
}
