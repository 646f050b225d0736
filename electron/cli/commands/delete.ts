import { deleteAudience, withApp } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, printJson, requireLocalAudienceId, type CliCommand } from '../command';

/**
 * `cohort-relay delete`: deletes an audience from Cohort Relay (its schedule, sync history and the local record of
 * who is in it); with --at-tiktok, TikTok deletes it first. Refused while a sync of it runs: nothing changes, exit 1.
 */
const del: CliCommand = {
  summary: 'Delete an audience here (schedule, sync history, local record); --at-tiktok deletes it at TikTok too.',
  usage: 'cohort-relay delete --audience-id LOCAL_ID [--at-tiktok] [--json]',
  options: { 'audience-id': { type: 'string' }, 'at-tiktok': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx) {
    const id = requireLocalAudienceId(ctx);
    return withApp(ctx.env, async (app) => {
      const a = knownAudience(app, id);
      // The desktop app's delete: ad groups using it are detached first, then TikTok deletes it, then it goes here.
      const { deletedAtTiktok } = await deleteAudience(app, id, flag(ctx, 'at-tiktok'));
      if (flag(ctx, 'json')) printJson(ctx, { audienceId: id, name: a.name, tiktokAudienceId: a.tiktokAudienceId, deletedAtTiktok });
      else {
        const here = `Deleted "${a.name}" from Cohort Relay: its schedule, sync history and the local record of who is in it are removed.`;
        ctx.stdout.write(`${here} ${deletedAtTiktok ? 'It was also deleted at TikTok: ad groups using it stop targeting it.' : a.tiktokAudienceId ? 'The audience stays in TikTok Ads Manager.' : 'It did not exist at TikTok.'}\n`);
      }
      return 0;
    });
  },
};
export default del;
