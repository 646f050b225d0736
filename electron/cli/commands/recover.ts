import { inspectDatabase, recoverDatabase, resolveDataDir } from '../../core/engine/host-support';
import { flag, printJson, str, type CliCommand } from '../command';

/** `cohort-relay recover`: check the database, and restore a backup or start empty when it is damaged. */
const recover: CliCommand = {
  summary: 'Check the local database; when it is damaged, restore the newest backup (or start empty with --fresh). A healthy database is never touched.',
  usage: 'cohort-relay recover [--list] [--backup FILE | --fresh] [--json]',
  options: { list: { type: 'boolean' }, backup: { type: 'string' }, fresh: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx) {
    const dataDir = resolveDataDir(ctx.env);
    const health = await inspectDatabase(dataDir);
    if (flag(ctx, 'list')) {
      if (flag(ctx, 'json')) printJson(ctx, { ok: health.ok, problem: health.problem, backups: health.backups.map((b) => ({ file: b.file, at: b.at.toISOString() })) });
      else {
        ctx.stdout.write(health.ok ? `The database (${health.file}) is healthy.\n` : `The database (${health.file}) is damaged: ${health.problem}\n`);
        ctx.stdout.write(health.backups.length ? `Backups, newest first:\n${health.backups.map((b) => `  ${b.file}  (${b.at.toISOString()})`).join('\n')}\n` : 'No backups yet (one is made before each upgrade of the database).\n');
      }
      return 0;
    }
    const r = await recoverDatabase(dataDir, { fresh: flag(ctx, 'fresh'), backup: str(ctx, 'backup') });
    if (flag(ctx, 'json')) {
      printJson(ctx, r);
      return 0;
    }
    if (r.action === 'nothing') ctx.stdout.write(`The database (${health.file}) is healthy; nothing was changed.\n`);
    else {
      ctx.stdout.write(`The damaged database was moved aside (${r.movedAside.join(', ') || 'it was missing'}); nothing was deleted.\n`);
      ctx.stdout.write(
        r.action === 'restored'
          ? `Restored ${r.backup}. Run "cohort-relay status --refresh" to compare every audience with TikTok.\n`
          : 'Started an empty database. Re-adopt your audiences from TikTok ("cohort-relay sync --audience-id ID ...") and sign in again if needed.\n',
      );
      if (r.carriedOver > 0) ctx.stdout.write(`${r.carriedOver} TikTok call(s) of the last 48 hours that the database had lost still count against their audiences' daily budget.\n`);
    }
    return 0;
  },
};
export default recover;
