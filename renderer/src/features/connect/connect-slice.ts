/** Connections: TikTok sign-in (with its redirect URL, a waiting sign-in's link and cancel), pasted token, offline sandbox, advertisers, disconnect. */
import { getBridge } from '../../app/bridge';
import { failed, idle, loading, ready, toShape } from '../../app/remote';
import type { Remote } from '../../app/remote';
import type { SliceCreator } from '../../app/store';
import type { AppErrorShape } from '../../../../shared/errors';
import type { ConnectionView, RedirectUriView, SignInWaiting } from '../../../../shared/ipc/dto';

export type ConnectAction = 'oauth' | 'token' | 'sandbox' | `disconnect:${string}` | `advertisers:${string}`;

export interface ConnectSlice {
  connections: Remote<ConnectionView[]>;
  /** The action in flight, so its button shows it and others wait. */
  connectBusy: ConnectAction | null;
  connectError: AppErrorShape | null;
  /** The browser sign-in waiting for TikTok (pushed by the engine): its link to copy, and when the wait ends. */
  signIn: SignInWaiting | null;
  /** The redirect URL to register on the developer app, and where it comes from. */
  redirect: Remote<RedirectUriView>;
  /** A redirect URL the engine refused to save, in its words. */
  redirectError: AppErrorShape | null;
  loadConnections(): Promise<void>;
  loginOAuth(appId: string, appSecret: string): Promise<boolean>;
  /** Ends the waiting browser sign-in; the sign-in then ends as cancelled, without an error. */
  cancelLogin(): Promise<void>;
  setSignInWaiting(waiting: SignInWaiting): void;
  loadRedirectUri(): Promise<void>;
  /** Saves another redirect URL (null: back to the default); resolves true when saved. */
  setRedirectUri(redirectUri: string | null): Promise<boolean>;
  pasteToken(token: string, appId?: string, appSecret?: string): Promise<boolean>;
  connectSandbox(): Promise<boolean>;
  disconnect(connectionId: string): Promise<void>;
  refreshAdvertisers(connectionId: string): Promise<void>;
  clearConnectError(): void;
}

export const createConnectSlice: SliceCreator<ConnectSlice> = (set, get) => {
  /** Runs one connect action; on success re-reads the list. Resolves true when it worked. */
  async function act(action: ConnectAction, call: () => Promise<unknown>): Promise<boolean> {
    if (get().connectBusy) return false;
    set({ connectBusy: action, connectError: null });
    try {
      await call();
      set({ connectBusy: null });
      await get().loadConnections();
      return true;
    } catch (err) {
      const error = toShape(err);
      // A cancel the user asked for is not a failure to show.
      set({ connectBusy: null, connectError: error.code === 'CANCELLED' && action === 'oauth' ? null : error });
      return false;
    }
  }

  return {
    connections: idle(),
    connectBusy: null,
    connectError: null,
    signIn: null,
    redirect: idle(),
    redirectError: null,
    async loadConnections() {
      // An answer that arrives after a workspace switch is the previous workspace's: it is dropped.
      const epoch = get().workspaceEpoch;
      set((s) => ({ connections: loading(s.connections) }));
      try {
        const list = await getBridge().connections.list();
        if (get().workspaceEpoch === epoch) set({ connections: ready(list) });
      } catch (err) {
        if (get().workspaceEpoch === epoch) set((s) => ({ connections: failed(s.connections, err) }));
      }
    },
    async loginOAuth(appId, appSecret) {
      if (get().connectBusy) return false;
      try {
        return await act('oauth', () => getBridge().connections.loginOAuth({ appId, appSecret }));
      } finally {
        set({ signIn: null });
      }
    },
    async cancelLogin() {
      try {
        await getBridge().connections.cancelLogin();
      } catch (err) {
        set({ connectError: toShape(err) });
      }
    },
    setSignInWaiting: (waiting) => set({ signIn: waiting }),
    async loadRedirectUri() {
      set((s) => ({ redirect: loading(s.redirect) }));
      try {
        set({ redirect: ready(await getBridge().connections.redirectUri()) });
      } catch (err) {
        set((s) => ({ redirect: failed(s.redirect, err) }));
      }
    },
    async setRedirectUri(redirectUri) {
      set({ redirectError: null });
      try {
        set({ redirect: ready(await getBridge().connections.setRedirectUri({ redirectUri })) });
        return true;
      } catch (err) {
        set({ redirectError: toShape(err) });
        return false;
      }
    },
    pasteToken: (token, appId, appSecret) =>
      act('token', () => getBridge().connections.pasteToken({ token, ...(appId ? { appId } : {}), ...(appSecret ? { appSecret } : {}) })),
    connectSandbox: () => act('sandbox', () => getBridge().connections.connectSandbox()),
    async disconnect(connectionId) {
      await act(`disconnect:${connectionId}`, () => getBridge().connections.disconnect({ connectionId }));
    },
    async refreshAdvertisers(connectionId) {
      await act(`advertisers:${connectionId}`, () => getBridge().connections.advertisers({ connectionId }));
    },
    clearConnectError: () => set({ connectError: null }),
  };
};

/** Every advertiser of every healthy connection, for the wizard's advertiser step. */
export function advertiserChoices(connections: ConnectionView[] | null): { connectionId: string; advertiserId: string; label: string }[] {
  return (connections ?? []).flatMap((c) =>
    c.status === 'ok' ? c.advertisers.map((a) => ({ connectionId: c.id, advertiserId: a.advertiserId, label: `${a.name} (${a.advertiserId}) — ${c.label}` })) : [],
  );
}
