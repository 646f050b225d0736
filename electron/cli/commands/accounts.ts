import { openConnections, resolveDataDir, type EnvTokenReport, type HealthResult } from '../../core/engine/host-support';
import { flag, printJson, type CliCommand, type CliContext } from '../command';

/** `cohort-relay accounts`: the TikTok connections, their ad accounts and status; --check asks TikTok. */
const accounts: CliCommand = {
  summary: 'List the connected TikTok accounts, their ad accounts and status (--check asks TikTok whether each token still works).',
  usage: `cohort-relay accounts [--check] [--json]   (with --check, exits 1 when a connection fails its check)

With TIKTOK_ACCESS_TOKEN set (cron, CI), accounts also asks TikTok (at TIKTOK_API_BASE, else production) which
ad accounts that token reaches — with TIKTOK_APP_ID and TIKTOK_APP_SECRET set, all of them; otherwise those of
the stored connections — and exits 1 with TikTok's reason when it refuses the token (revoked, wrong, or a
token of another environment).`,
  options: { json: { type: 'boolean' }, check: { type: 'boolean' } },
  async run(ctx) {
    const connections = await openConnections(resolveDataDir(ctx.env), ctx.env);
    try {
      const health = new Map<string, HealthResult>();
      const envToken = Boolean(ctx.env.TIKTOK_ACCESS_TOKEN?.trim());
      let envCheck: EnvTokenReport | null = null;
      if (envToken) {
        // The environment's token replaces every stored one, so no keychain is opened (cron and CI have none).
        const service = connections.withEnvToken();
        envCheck = await service.checkEnvToken(ctx.signal);
        if (flag(ctx, 'check')) for (const c of service.listConnections()) health.set(c.id, await service.healthCheck(c.id, ctx.signal));
      } else if (flag(ctx, 'check')) {
        // Only --check touches the keychain and the network; a plain listing reads SQLite alone.
        const { service } = await connections.withKeychain();
        for (const c of service.listConnections()) health.set(c.id, await service.healthCheck(c.id, ctx.signal));
      }
      const failed = [...health.values()].some((h) => !h.ok) || envCheck?.ok === false ? 1 : 0;
      const list = connections.list();
      if (flag(ctx, 'json')) {
        printJson(ctx, { connections: list.map((c) => ({ ...c, ...(health.has(c.id) ? { check: health.get(c.id) } : {}) })), envToken, ...(envCheck ? { envTokenCheck: envCheck } : {}) });
        return failed;
      }
      if (envCheck) printEnvCheck(ctx, envCheck);
      if (list.length === 0) {
        if (envCheck) return failed;
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
      return failed;
    } finally {
      connections.close();
    }
  },
};
export default accounts;

/** The TIKTOK_ACCESS_TOKEN section: what it reaches, or TikTok's refusal (on stderr too, for cron mail). */
function printEnvCheck(ctx: CliContext, r: EnvTokenReport): void {
  if (!r.ok) {
    ctx.stdout.write(`TIKTOK_ACCESS_TOKEN ${r.tokenHint}  [check failed]  ${r.apiBase}\n    ${r.message}\n`);
    ctx.stderr.write(`error: ${r.message}\n`);
    return;
  }
  ctx.stdout.write(`TIKTOK_ACCESS_TOKEN ${r.tokenHint}  [ok]  ${r.apiBase}\n    ${r.message}\n`);
  for (const a of r.advertisers) ctx.stdout.write(`    ${a.advertiserId}  ${a.name}\n`);
  for (const w of r.warnings) ctx.stderr.write(`warning: ${w}\n`);
}
