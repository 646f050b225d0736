/** The contract's `connections:*` channels: sign-in, pasted tokens, the offline sandbox, ad accounts. */
import { toErrorShape } from '../../../../shared/errors';
import type { Handlers } from '../../../../shared/ipc/contract';
import { parseRedirectUri, REDIRECT_URI_SETTING } from '../../tiktok/oauth';
import type { EngineContext } from '../context';
import { connectionView } from '../views';

type ConnectionChannel = Extract<keyof Handlers, `connections:${string}`>;

export function connectionHandlers(ctx: EngineContext): Pick<Handlers, ConnectionChannel> {
  const { store, connections } = ctx.app;
  const { signIn, connectionStatus, environment } = ctx;
  return {
    'connections:list': async () => connections.listConnections().map(connectionView),
    'connections:loginOAuth': async ({ appId, appSecret }) => signIn.login(appId, appSecret),
    'connections:cancelLogin': async () => ({ cancelled: await signIn.cancel() }),
    'connections:redirectUri': async () => signIn.redirectUri(),
    'connections:setRedirectUri': async ({ redirectUri }) => {
      // Checked before it is saved: a URL Cohort Relay could not listen on would only fail at sign-in.
      store.settings.set(REDIRECT_URI_SETTING, redirectUri === null ? null : parseRedirectUri(redirectUri).uri);
      return signIn.redirectUri();
    },
    'connections:pasteToken': async ({ token, appId, appSecret }) => {
      const r = await connections.connectWithToken({ apiBase: await environment.apiBase(), token, appId, appSecret });
      return connectionStatus.connected(r.connection.id);
    },
    'connections:connectSandbox': async () => {
      const sim = await environment.sandbox.ensure();
      let r;
      try {
        r = await connections.connectSandbox(sim.url);
      } catch (err) {
        // The seeded token was revoked in the simulator (a re-connect test): the sandbox issues a new one.
        if (toErrorShape(err).code !== 'AUTH_FAILED') throw err;
        r = await connections.connectSandbox(sim.url, undefined, await sim.issueToken());
      }
      return connectionStatus.connected(r.connection.id);
    },
    'connections:disconnect': async ({ connectionId }) => {
      await environment.sandbox.ensureFor(connections.getConnection(connectionId));
      await connections.disconnect(connectionId);
      connectionStatus.forget(connectionId);
      return null;
    },
    'connections:advertisers': async ({ connectionId }) => {
      await environment.sandbox.ensureFor(connections.getConnection(connectionId));
      const list = await connectionStatus.remote(connectionId, () => connections.refreshAdvertisers(connectionId));
      return list.map((a) => ({ advertiserId: a.advertiserId, name: a.name }));
    },
  };
}
