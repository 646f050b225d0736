import { AppError } from '../../../shared/errors';
import { openConnections, resolveDataDir } from '../../core/engine/host-support';
import { flag, printJson, str, type CliCommand } from '../command';

/** `cohort-relay logout`: revoke and forget a connection's token; audiences and sync history stay. */
const logout: CliCommand = {
  summary: 'Disconnect a TikTok account: revoke its token at TikTok and delete it from the keychain (audiences and sync history stay).',
  usage: 'cohort-relay logout [--connection ID] [--json]   (ID from "cohort-relay accounts"; optional when only one is connected)',
  options: { connection: { type: 'string' }, json: { type: 'boolean' } },
  async run(ctx) {
    const connections = await openConnections(resolveDataDir(ctx.env), ctx.env);
    try {
      const all = connections.list();
      let id = str(ctx, 'connection');
      if (!id) {
        if (all.length === 0) {
          if (flag(ctx, 'json')) printJson(ctx, { disconnected: null });
          else ctx.stdout.write('No TikTok account is connected; nothing to do.\n');
          return 0;
        }
        if (all.length > 1) {
          throw new AppError('INVALID_ARGUMENT', `Several TikTok accounts are connected (${all.map((c) => c.id).join(', ')}): pick one with --connection ID.`);
        }
        id = all[0]!.id;
      }
      const { service, keychain } = await connections.withKeychain();
      const before = service.getConnection(id);
      const d = await service.disconnect(id, ctx.signal);
      const warning =
        keychain.persistent || before?.kind === 'sandbox'
          ? null
          : `No system keychain is available (${keychain.cause}), so a token saved in it earlier could not be deleted: remove this connection's "Cohort Relay" entries with your keychain manager.`;
      const label = before?.label ?? d.id;
      if (flag(ctx, 'json')) {
        printJson(ctx, { disconnected: d.id, revoked: d.revoked, message: d.message, warning });
      } else {
        ctx.stdout.write(`Disconnected "${label}" (${d.id}). ${d.message} Audiences and sync history are kept.\n`);
        if (warning) ctx.stderr.write(`warning: ${warning}\n`);
      }
      return 0;
    } finally {
      connections.close();
    }
  },
};
export default logout;
