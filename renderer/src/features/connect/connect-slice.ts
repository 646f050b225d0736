/** Connections: TikTok sign-in, pasted token, offline sandbox, advertisers, disconnect. */
import { getBridge } from '../../app/bridge';
import { failed, idle, loading, ready, toShape } from '../../app/remote';
import type { Remote } from '../../app/remote';
import type { SliceCreator } from '../../app/store';
import type { AppErrorShape } from '../../../../shared/errors';
import type { ConnectionView } from '../../../../shared/ipc/dto';

export type ConnectAction = 'oauth' | 'token' | 'sandbox' | `disconnect:${string}` | `advertisers:${string}`;

export interface ConnectSlice {
  connections: Remote<ConnectionView[]>;
  /** The action in flight, so its button shows it and others wait. */
  connectBusy: ConnectAction | null;
  connectError: AppErrorShape | null;
  loadConnections(): Promise<void>;
  loginOAuth(appId: string, appSecret: string): Promise<boolean>;
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
      set({ connectBusy: null, connectError: toShape(err) });
      return false;
    }
  }

  return {
    connections: idle(),
    connectBusy: null,
    connectError: null,
    async loadConnections() {
      set((s) => ({ connections: loading(s.connections) }));
      try {
        const list = await getBridge().connections.list();
        set({ connections: ready(list) });
      } catch (err) {
        set((s) => ({ connections: failed(s.connections, err) }));
      }
    },
    loginOAuth: (appId, appSecret) => act('oauth', () => getBridge().connections.loginOAuth({ appId, appSecret })),
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
