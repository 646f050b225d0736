/** Connect: TikTok sign-in (the user's developer app, then the browser), a pasted token, or the offline sandbox. */
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtDateTime } from '../../app/format';
import { Badge } from '../../ui/badge';
import { Button, ExternalLink } from '../../ui/button';
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
      {c.notice && <p className="muted small">{c.notice}</p>}
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

/**
 * A read-only value with a copy button. Where the clipboard is not available (an insecure page, a refused
 * permission), the text is selected instead and the user is told the keys to press.
 */
function CopyField({ label, value, copyLabel }: { label: string; value: string; copyLabel: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState('');
  useEffect(() => setNote(''), [value]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setNote('Copied.');
    } catch {
      input.current?.focus();
      input.current?.select();
      setNote('Selected: press Ctrl+C (⌘C on a Mac) to copy.');
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input id={id} ref={input} className="mono" readOnly value={value} onFocus={(e) => e.currentTarget.select()} spellCheck={false} />
        <Button size="small" onClick={() => void copy()}>
          {copyLabel}
        </Button>
      </div>
      <p className="muted small" role="status">
        {note}
      </p>
    </div>
  );
}

/** The redirect URL to register on the developer app, with copy, and the setting to change it. */
function RedirectUrl() {
  const { redirect, redirectError, loadRedirectUri, setRedirectUri, busy } = useApp(
    useShallow((s) => ({ redirect: s.redirect, redirectError: s.redirectError, loadRedirectUri: s.loadRedirectUri, setRedirectUri: s.setRedirectUri, busy: s.connectBusy })),
  );
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  const draftId = useId();
  useEffect(() => {
    void loadRedirectUri();
  }, [loadRedirectUri]);
  const view = redirect.data;
  if (!view) {
    return redirect.error ? (
      <p className="error-text">Could not read the redirect URL: {redirect.error.message}</p>
    ) : (
      <p className="muted small">Loading the redirect URL…</p>
    );
  }
  const save = async (value: string | null) => {
    if (await setRedirectUri(value)) setEditing(false);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    // Enter saves the redirect URL; it must not submit the sign-in form around it.
    if (e.key === 'Enter') {
      e.preventDefault();
      void save(draft.trim());
    }
  };
  return (
    <div className="redirect-url">
      <CopyField label="Redirect URL to register" value={view.redirectUri} copyLabel="Copy redirect URL" />
      <p className="muted small">
        TikTok sends you back only to a redirect URL registered on your developer app: add exactly this one under My Apps › your app › Advertiser redirect URL.
        {view.source === 'env' && ' It is set by TIKTOK_REDIRECT_URI, which wins over this setting.'}
      </p>
      {view.source !== 'env' &&
        (editing ? (
          <div className="field">
            <label htmlFor={draftId}>New redirect URL</label>
            <input id={draftId} value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={onKey} spellCheck={false} autoComplete="off" placeholder={view.defaultRedirectUri} />
            <p className="muted small">An address of this computer with a free port, e.g. http://127.0.0.1:PORT/oauth/callback. Register it on your developer app too.</p>
            {redirectError && (
              <p className="error-text" role="alert">
                {redirectError.message}
              </p>
            )}
            <div className="actions">
              <Button size="small" variant="primary" onClick={() => void save(draft.trim())} disabled={!draft.trim()}>
                Save redirect URL
              </Button>
              {view.source === 'setting' && (
                <Button size="small" onClick={() => void save(null)}>
                  Use the default
                </Button>
              )}
              <Button size="small" variant="ghost" onClick={() => setEditing(false)}>
                Keep it
              </Button>
            </div>
          </div>
        ) : (
          <Button
            size="small"
            variant="ghost"
            disabled={busy === 'oauth'}
            onClick={() => {
              setDraft(view.redirectUri);
              setEditing(true);
            }}
          >
            Change redirect URL
          </Button>
        ))}
    </div>
  );
}

/** While the browser sign-in waits: the link to copy (no browser, the wrong one) and Cancel. */
function SignInWaitingPanel() {
  const { signIn, cancelLogin } = useApp(useShallow((s) => ({ signIn: s.signIn, cancelLogin: s.cancelLogin })));
  const [cancelling, setCancelling] = useState(false);
  return (
    <div className="signin-waiting stack" aria-labelledby="signin-waiting-title">
      <p id="signin-waiting-title" role="status">
        <span className="spinner" aria-hidden="true" /> Waiting for TikTok in your browser…{signIn ? ` Finish signing in there before ${fmtDateTime(signIn.expiresAt)}.` : ''}
      </p>
      {signIn && (
        <>
          <CopyField label="Sign-in link" value={signIn.url} copyLabel="Copy sign-in link" />
          <p className="muted small">If no browser opened, or it opened one where you are not signed in to TikTok for Business, open this link there.</p>
        </>
      )}
      <Button
        busy={cancelling}
        busyLabel="Cancelling…"
        onClick={() => {
          setCancelling(true);
          void cancelLogin().finally(() => setCancelling(false));
        }}
      >
        Cancel sign-in
      </Button>
    </div>
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
        <input id="oauth-secret" type="password" value={secret} onChange={(e) => setSecret(e.target.value)} required autoComplete="off" />
      </label>
      <RedirectUrl />
      {busy === 'oauth' ? (
        <SignInWaitingPanel />
      ) : (
        <Button type="submit" variant="primary" disabled={busy !== null}>
          Sign in with TikTok
        </Button>
      )}
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
        <input id="token-input" type="password" value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" spellCheck={false} />
      </label>
      <Button type="submit" variant="primary" busy={busy === 'token'} busyLabel="Checking the token…" disabled={busy !== null && busy !== 'token'}>
        Connect with this token
      </Button>
    </form>
  );
}

const ENV_CHOICES: { value: ConnectionView['environment']; label: string; short: string }[] = [
  { value: 'offline-sandbox', label: 'Offline sandbox', short: 'a TikTok simulator on this computer: nothing is sent to TikTok' },
  { value: 'production', label: 'TikTok (production)', short: 'real audiences in your ad accounts' },
  { value: 'tiktok-sandbox', label: "TikTok's sandbox", short: "TikTok's own test environment for developer apps" },
];

/** What switching to `to` changes, in plain words, for the confirmation. */
export function environmentSwitchText(to: ConnectionView['environment']): string[] {
  const stays = 'Existing connections and their audiences stay where they are: simulated ones stay simulated, TikTok ones keep syncing to TikTok.';
  switch (to) {
    case 'production':
      return [
        'New sign-ins and pasted tokens connect to TikTok (business-api.tiktok.com). A sync on them creates and changes real audiences in your ad accounts and spends their daily calls; nothing is sent before you choose Sync now.',
        stays,
      ];
    case 'tiktok-sandbox':
      return [
        "New sign-ins connect to TikTok's own sandbox (sandbox-ads.tiktok.com), a test environment for developer apps. It offers no audience endpoints, so syncs there are refused: use it only to try a sign-in.",
        stays,
      ];
    case 'offline-sandbox':
      return ['New connections go to the simulator on this computer: nothing is sent to TikTok, and no account is needed.', stays];
  }
}

/**
 * The confirmation before new connections go elsewhere: what changes, then "Switch to …" or "Keep …". The Environment
 * card here and the Settings screen's radio buttons both switch only through it. `onClose` runs after a switch or a keep.
 */
export function EnvironmentConfirm({ to, onClose }: { to: ConnectionView['environment']; onClose(): void }) {
  const { settings, saving, save } = useApp(useShallow((s) => ({ settings: s.settings, saving: s.settingsSaving, save: s.saveSettings })));
  const confirmRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    confirmRef.current?.focus();
  }, [to]);
  const here = ENV_CHOICES.find((e) => e.value === settings.data?.environment);
  const chosen = ENV_CHOICES.find((e) => e.value === to)!;
  return (
    <div className="env-confirm" role="group" aria-labelledby="env-confirm-title">
      <h3 id="env-confirm-title" ref={confirmRef} tabIndex={-1}>
        Switch to {chosen.label}?
      </h3>
      {environmentSwitchText(chosen.value).map((t) => (
        <p key={t}>{t}</p>
      ))}
      <div className="actions">
        <Button variant="primary" busy={saving} busyLabel="Switching…" onClick={() => void save({ environment: chosen.value }).then((ok) => ok && onClose())}>
          Switch to {chosen.label}
        </Button>
        <Button onClick={onClose}>{here ? `Keep ${here.label}` : 'Keep it as it is'}</Button>
      </div>
    </div>
  );
}

/** Which TikTok new connections go to, and the switch, behind a confirmation that says what changes. */
function EnvironmentSwitch() {
  const { settings, error, loadSettings } = useApp(useShallow((s) => ({ settings: s.settings, error: s.settingsError, loadSettings: s.loadSettings })));
  const [target, setTarget] = useState<ConnectionView['environment'] | null>(null);
  useEffect(() => {
    if (!settings.data && !settings.loading && !settings.error) void loadSettings();
  }, [settings.data, settings.loading, settings.error, loadSettings]);
  const current = settings.data?.environment;
  if (!current) return null;
  const here = ENV_CHOICES.find((e) => e.value === current)!;
  return (
    <section className="card env-switch" aria-labelledby="env-title">
      <h2 id="env-title">Environment</h2>
      <p>
        New connections go to: <strong>{here.label}</strong> <span className="muted">— {here.short}.</span>
      </p>
      {target ? (
        <EnvironmentConfirm to={target} onClose={() => setTarget(null)} />
      ) : (
        <div className="actions">
          {ENV_CHOICES.filter((e) => e.value !== current).map((e) => (
            <Button key={e.value} size="small" onClick={() => setTarget(e.value)}>
              Switch to {e.label}…
            </Button>
          ))}
        </div>
      )}
      <ErrorBanner error={error} title="Could not switch the environment" />
    </section>
  );
}

/** Where a developer app's id, secret and redirect URL, and a long-term token come from, with TikTok's pages. */
function DeveloperHowTo() {
  return (
    <details className="card how-to">
      <summary>How to get an app id, secret, redirect URL or long-term token</summary>
      <ol>
        <li>
          Register as a developer on the <ExternalLink href="https://business-api.tiktok.com/portal">TikTok API for Business developer portal</ExternalLink> and create an app
          under My Apps, with the Audience Management permission (and Read Ad Account Information, so Cohort Relay can name your ad accounts).
        </li>
        <li>Once TikTok approves the app, its page under My Apps shows the <strong>app id</strong> and the <strong>secret</strong>: paste them into "Sign in with TikTok".</li>
        <li>
          <strong>Redirect URL</strong>: copy the one shown under "Sign in with TikTok" and add it to the app's Advertiser redirect URLs (up to 10; a 127.0.0.1 address is allowed).
        </li>
        <li>
          <strong>Long-term token</strong>: authorize your ad account with the app's advertiser authorization link, then exchange the code for an access token as in TikTok's{' '}
          <ExternalLink href="https://business-api.tiktok.com/portal/docs?id=1738373141733378">authorization guide</ExternalLink>. That token does not expire until it is
          revoked; paste it into "Paste an access token". TikTok's <ExternalLink href="https://business-api.tiktok.com/portal/docs?id=1738373164380162">getting started guide</ExternalLink>{' '}
          walks through the whole set-up.
        </li>
      </ol>
    </details>
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
    document.getElementById(c.kind === 'oauth' ? 'oauth-secret' : 'token-input')?.focus();
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
      <EnvironmentSwitch />
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
      <DeveloperHowTo />
    </section>
  );
}
