import { resolveDataDir } from '../../core/paths';
import { Store } from '../../core/store';
import { openConnectionService, type HealthResult } from '../../core/tiktok/connections';
import { flag, printJson, type CliCommand } from '../command';

/** `cohort-relay accounts`: the TikTok connections, their ad accounts and status; --check asks TikTok. */
const accounts: CliCommand = {
  summary: 'List the connected TikTok accounts, their ad accounts and status (--check asks TikTok whether each token still works).',
  usage: 'cohort-relay accounts [--check] [--json]   (with --check, exits 1 when a connection fails its check)',
  options: { json: { type: 'boolean' }, check: { type: 'boolean' } },
  async run(ctx) {
    const store = Store.open(resolveDataDir(ctx.env));
    try {
      const health = new Map<string, HealthResult>();
      if (flag(ctx, 'check')) {
        // Only --check touches the keychain and the network; a plain listing reads SQLite alone.
        const { service } = await openConnectionService({ repo: store.connections, env: ctx.env });
        for (const c of service.listConnections()) health.set(c.id, await service.healthCheck(c.id, ctx.signal));
      }
      const list = store.connections.list();
      const envToken = Boolean(ctx.env.TIKTOK_ACCESS_TOKEN?.trim());
      if (flag(ctx, 'json')) {
        printJson(ctx, { connections: list.map((c) => ({ ...c, ...(health.has(c.id) ? { check: health.get(c.id) } : {}) })), envToken });
        return 0;
      }
      if (list.length === 0) {
        ctx.stdout.write('No TikTok account is connected. Run "cohort-relay login", or try the offline sandbox: "cohort-relay sandbox", then "cohort-relay login --sandbox --api-base <its address>".\n');
        return 0;
      }
      for (const c of list) {
        const status = c.status === 'ok' ? 'ok' : 'needs re-connect';
        ctx.stdout.write(`${c.id}  "${c.label}"  [${status}]  ${c.kind}${c.appId ? ` app ${c.appId}` : ''}  ${c.apiBase}  last checked ${c.lastCheckedAt ?? 'never'}\n`);
        if (c.status !== 'ok' && c.statusMessage) ctx.stdout.write(`    ${c.statusMessage}\n`);
        const h = health.get(c.id);
        if (h && h.ok) ctx.stdout.write(`    check: ${h.message}\n`);
        if (h && !h.ok && h.message !== c.statusMessage) ctx.stdout.write(`    check: ${h.message}\n`);
        if (c.advertisers.length === 0) ctx.stdout.write('    no ad accounts\n');
        for (const a of c.advertisers) ctx.stdout.write(`    ${a.advertiserId}  ${a.name}\n`);
      }
      if (envToken) ctx.stdout.write('TIKTOK_ACCESS_TOKEN is set: it is used instead of the stored tokens.\n');
      return [...health.values()].some((h) => !h.ok) ? 1 : 0;
    } finally {
      store.close();
    }
  },
};
export default accounts;
