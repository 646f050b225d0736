/** Connect: TikTok sign-in (the user's developer app, then the browser), a pasted token, or the offline sandbox. */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtDateTime } from '../../app/format';
import { Badge } from '../../ui/badge';
import { Button } from '../../ui/button';
import { EmptyState, ErrorBanner, Loading } from '../../ui/states';
import type { ConnectionView } from '../../../../shared/ipc/dto';

const KIND_LABEL: Record<ConnectionView['kind'], string> = { oauth: 'Signed in with TikTok', token: 'Pasted token', sandbox: 'Offline sandbox' };
const ENV_LABEL: Record<ConnectionView['environment'], string> = { production: 'TikTok', 'tiktok-sandbox': 'TikTok sandbox', 'offline-sandbox': 'Offline sandbox (simulated)' };

function ConnectionCard({ c, onReconnect }: { c: ConnectionView; onReconnect(c: ConnectionView): void }) {
  const { busy, disconnect, refreshAdvertisers } = useApp(useShallow((s) => ({ busy: s.connectBusy, disconnect: s.disconnect, refreshAdvertisers: s.refreshAdvertisers })));
  const [confirming, setConfirming] = useState(false);
  const headingId = useId();
  return (
    <article className="card connection" aria-labelledby={headingId}>
      <header className="card-head">
        <div>
          <h3 id={headingId}>{c.label}</h3>
          <p className="muted">
            {c.kind === 'sandbox' ? ENV_LABEL[c.environment] : `${KIND_LABEL[c.kind]} · ${ENV_LABEL[c.environment]}`}
            {c.appId ? ` · app ${c.appId}` : ''}
          </p>
        </div>
        {c.status === 'ok' ? <Badge tone="good">Connected</Badge> : <Badge tone="bad">Re-connect needed</Badge>}
      </header>
      {c.status === 'needs_reconnect' && (
        <div className="banner banner-warn" role="alert">
          <div className="banner-body">
            <p>{c.statusMessage ?? 'TikTok no longer accepts this connection. Re-connect the account.'}</p>
          </div>
          <div className="banner-actions">
            <Button variant="primary" size="small" onClick={() => onReconnect(c)} busy={busy === 'sandbox' && c.kind === 'sandbox'}>
              Re-connect
            </Button>
          </div>
        </div>
      )}
      <h4>Advertiser accounts</h4>
      {c.advertisers.length === 0 ? (
        <p className="muted">No advertiser accounts are authorized for this connection. Approve at least one in TikTok, then refresh.</p>
      ) : (
        <ul className="advertisers">
          {c.advertisers.map((a) => (
            <li key={a.advertiserId}>
              <span>{a.name}</span> <span className="muted mono">{a.advertiserId}</span>
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">
        Connected {fmtDateTime(c.createdAt)} · last checked {fmtDateTime(c.lastCheckedAt)}
      </p>
      <div className="actions">
        <Button size="small" onClick={() => void refreshAdvertisers(c.id)} busy={busy === `advertisers:${c.id}`} disabled={busy !== null}>
          Refresh advertisers
        </Button>
        {c.status === 'ok' && (
          <Button size="small" variant="ghost" onClick={() => onReconnect(c)} disabled={busy !== null}>
            Re-connect
          </Button>
        )}
        {confirming ? (
          <>
            <Button size="small" variant="danger" onClick={() => void disconnect(c.id).then(() => setConfirming(false))} busy={busy === `disconnect:${c.id}`} disabled={busy !== null}>
              Yes, disconnect {c.label}
            </Button>
            <Button size="small" variant="ghost" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </>
        ) : (
          <Button size="small" variant="danger" onClick={() => setConfirming(true)} disabled={busy !== null}>
            Disconnect
          </Button>
        )}
      </div>
    </article>
  );
}

function OAuthForm({ appIdHint }: { appIdHint: string }) {
  const { busy, loginOAuth } = useApp(useShallow((s) => ({ busy: s.connectBusy, loginOAuth: s.loginOAuth })));
  const [appId, setAppId] = useState(appIdHint);
  const [secret, setSecret] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await loginOAuth(appId.trim(), secret.trim())) setSecret('');
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="oauth-title">
      <h3 id="oauth-title">Sign in with TikTok</h3>
      <p className="muted">Use your own TikTok for Business developer app. Your browser opens to approve access; the secret stays in the system keychain.</p>
      <label className="field">
        <span>App id</span>
        <input value={appId} onChange={(e) => setAppId(e.target.value)} required autoComplete="off" spellCheck={false} />
      </label>
      <label className="field">
        <span>App secret</span>
        <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} required autoComplete="off" />
      </label>
      <Button type="submit" variant="primary" busy={busy === 'oauth'} busyLabel="Waiting for TikTok in your browser…" disabled={busy !== null && busy !== 'oauth'}>
        Sign in with TikTok
      </Button>
    </form>
  );
}

function TokenForm() {
  const { busy, pasteToken } = useApp(useShallow((s) => ({ busy: s.connectBusy, pasteToken: s.pasteToken })));
  const [token, setToken] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await pasteToken(token.trim())) setToken('');
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="token-title">
      <h3 id="token-title">Paste an access token</h3>
      <p className="muted">A long-term access token from TikTok for Business. It is checked with TikTok, then kept in the system keychain.</p>
      <label className="field">
        <span>Access token</span>
        <input type="password" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" spellCheck={false} />
      </label>
      <Button type="submit" variant="primary" busy={busy === 'token'} busyLabel="Checking the token…" disabled={busy !== null && busy !== 'token'}>
        Connect with this token
      </Button>
    </form>
  );
}

export function ConnectScreen() {
  const { connections, busy, error, loadConnections, connectSandbox, clearConnectError } = useApp(
    useShallow((s) => ({ connections: s.connections, busy: s.connectBusy, error: s.connectError, loadConnections: s.loadConnections, connectSandbox: s.connectSandbox, clearConnectError: s.clearConnectError })),
  );
  const [appIdHint, setAppIdHint] = useState('');
  const [formKey, setFormKey] = useState(0);
  const list = connections.data ?? [];

  const onReconnect = (c: ConnectionView) => {
    if (c.kind === 'sandbox') {
      void connectSandbox();
      return;
    }
    // OAuth and token connections re-connect through the same forms below, prefilled where we can.
    setAppIdHint(c.appId ?? '');
    setFormKey((k) => k + 1);
    document.getElementById(c.kind === 'oauth' ? 'oauth-title' : 'token-title')?.scrollIntoView({ block: 'center' });
    document.querySelector<HTMLInputElement>(c.kind === 'oauth' ? '#connect-add input[type=password]' : '#connect-add form:nth-of-type(2) input')?.focus();
  };

  return (
    <section aria-labelledby="connect-title" className="screen">
      <header className="screen-head">
        <h1 id="connect-title" tabIndex={-1}>
          Connections
        </h1>
      </header>
      <ErrorBanner error={error} onDismiss={clearConnectError} title="Could not connect" />
      <ErrorBanner error={connections.error} onRetry={() => void loadConnections()} title="Could not load connections" />
      {connections.loading && !connections.data ? (
        <Loading label="Loading connections…" />
      ) : list.length === 0 ? (
        !connections.error && (
          <EmptyState title="No TikTok account connected yet">
            <p>Sign in with TikTok, paste a token, or try the whole flow first with the offline sandbox: a simulated TikTok on this computer, no account needed.</p>
          </EmptyState>
        )
      ) : (
        <div className="stack">
          {list.map((c) => (
            <ConnectionCard key={c.id} c={c} onReconnect={onReconnect} />
          ))}
        </div>
      )}
      <h2>Add a connection</h2>
      <div className="cards-3" id="connect-add">
        <OAuthForm key={`oauth-${formKey}`} appIdHint={appIdHint} />
        <TokenForm key={`token-${formKey}`} />
        <div className="card">
          <h3>Try the offline sandbox</h3>
          <p className="muted">A TikTok simulator built into Cohort Relay: import, dry-run and sync with no account and no network. Nothing leaves this computer.</p>
          <Button variant="primary" onClick={() => void connectSandbox()} busy={busy === 'sandbox'} busyLabel="Starting the sandbox…" disabled={busy !== null && busy !== 'sandbox'}>
            Try the offline sandbox
          </Button>
        </div>
      </div>
    </section>
  );
}
