import type { ButtonHTMLAttributes, ReactNode } from 'react';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  size?: 'normal' | 'small';
  /** Shows the work in flight: disabled, aria-busy, and the busy label when given. */
  busy?: boolean;
  busyLabel?: ReactNode;
}

export function Button({ variant = 'secondary', size = 'normal', busy = false, busyLabel, className, children, disabled, type = 'button', ...rest }: ButtonProps) {
  const cls = ['btn', `btn-${variant}`, size === 'small' ? 'btn-small' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button type={type} className={cls} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <span className="spinner" aria-hidden="true" />}
      {busy && busyLabel ? busyLabel : children}
    </button>
  );
}

/** A plain https link that the host opens in the system browser. */
export function ExternalLink({ href, children, className, label }: { href: string; children: ReactNode; className?: string; label?: string }) {
  return (
    <a className={className ?? 'link'} href={href} target="_blank" rel="noopener noreferrer" aria-label={label ? `${label} (opens in your browser)` : undefined}>
      {children}
      {!label && <span className="visually-hidden"> (opens in your browser)</span>}
    </a>
  );
}
