import type { ReactNode } from 'react';
import type { AppErrorShape } from '../../../shared/errors';
import { Button } from './button';

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <h3>{title}</h3>
      {children && <div className="empty-body">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

/** An engine error in its own plain words (they already say what to do), with optional retry / dismiss. */
export function ErrorBanner({ error, onRetry, onDismiss, title }: { error: AppErrorShape | null; onRetry?: () => void; onDismiss?: () => void; title?: string }) {
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert">
      <div className="banner-body">
        {title && <strong className="banner-title">{title}</strong>}
        <p>{error.message}</p>
      </div>
      <div className="banner-actions">
        {onRetry && (
          <Button size="small" onClick={onRetry}>
            Try again
          </Button>
        )}
        {onDismiss && (
          <Button size="small" variant="ghost" onClick={onDismiss} aria-label="Dismiss this message">
            Dismiss
          </Button>
        )}
      </div>
    </div>
  );
}

export function Notice({ tone = 'info', children }: { tone?: 'info' | 'warn' | 'good'; children: ReactNode }) {
  return (
    <div className={`banner banner-${tone}`} role="status">
      <div className="banner-body">{children}</div>
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}
