import { deleteAudience, deletePreview, withApp, type DeletePreview } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, printJson, requireLocalAudienceId, type CliCommand } from '../command';
import { countText } from '../../../shared/count-text';

/** The preview's words: what goes here, and what happens at TikTok (deleted there, or left there). */
function describe(p: DeletePreview, atTiktok: boolean): string {
  const n = (count: number, one: string, many: string) => `${countText(count)} ${count === 1 ? one : many}`;
  // The kept hashes of people erased from it go too: they are what keeps those people out of its syncs.
  const erased = p.erasedHashes > 0 ? ` and the ${n(p.erasedHashes, 'hash', 'hashes')} kept of people erased from it (what keeps them out of its syncs)` : '';
  const here = `Would delete "${p.name}" (local id ${p.audienceId}) from Cohort Relay: ${p.scheduled ? 'its schedule, ' : ''}its sync history (${n(p.runs, 'run', 'runs')})${erased ? ',' : ' and'} the local record of who is in it (${n(p.entries, 'hashed entry', 'hashed entries')})${erased}. This cannot be undone.`;
  if (!p.tiktokAudienceId) return `${here} It does not exist at TikTok: nothing would be sent there.`;
  // An erasure not sent yet would be dropped with it: the person would stay in the audience at TikTok. Counted as the
  // entries queued (hashes: a person may be several), not as people.
  const queued = p.erasureQueued > 0 ? ` Its ${n(p.erasureQueued, 'queued erasure entry', 'queued erasure entries')} (of people erased from it) ${p.erasureQueued === 1 ? 'has' : 'have'} not reached TikTok yet and would be dropped: those people would stay in the audience there. Sync it first (the removal goes out), or add --at-tiktok.` : '';
  if (!atTiktok) return `${here} The audience (TikTok id ${p.tiktokAudienceId}) would stay in TikTok Ads Manager; add --at-tiktok to delete it there too.${queued}`;
  const t = p.atTiktok ?? { adGroups: 0, lookalikes: 0 };
  return [
    here,
    `TikTok would delete it too (TikTok id ${p.tiktokAudienceId})${t.adGroups > 0 ? `, after detaching it from the ${n(t.adGroups, 'ad group', 'ad groups')} using it: they stop targeting or excluding these people` : '; no ad group uses it'}.`,
    t.lookalikes > 0 ? `${n(t.lookalikes, 'lookalike', 'lookalikes')} made from it would stay, but can no longer be refreshed.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * `cohort-relay delete`: deletes an audience from Cohort Relay (its schedule, sync history and the local record of
 * who is in it); with --at-tiktok, TikTok deletes it first. Without --yes it only says what it would delete and changes
 * nothing (exit 0, as `erase` and `use delete`). Refused while a sync of it runs: nothing changes, exit 1.
 */
const del: CliCommand = {
  summary: 'Delete an audience here (schedule, sync history, local record); --at-tiktok deletes it at TikTok too; --yes to do it.',
  usage: 'cohort-relay delete --audience-id LOCAL_ID [--at-tiktok] [--yes] [--json]',
  options: { 'audience-id': { type: 'string' }, 'at-tiktok': { type: 'boolean' }, yes: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx) {
    const id = requireLocalAudienceId(ctx);
    return withApp(ctx.env, async (app) => {
      const a = knownAudience(app, id);
      if (!flag(ctx, 'yes')) {
        const p = await deletePreview(app, id, flag(ctx, 'at-tiktok'));
        const what = describe(p, flag(ctx, 'at-tiktok'));
        if (flag(ctx, 'json')) printJson(ctx, { ...p, done: false, preview: what });
        else ctx.stdout.write(`${what}\nNothing was changed or sent. Run the same command with --yes to delete it.\n`);
        return 0;
      }
      // The desktop app's delete: ad groups using it are detached first, then TikTok deletes it, then it goes here.
      const { deletedAtTiktok } = await deleteAudience(app, id, flag(ctx, 'at-tiktok'));
      if (flag(ctx, 'json')) printJson(ctx, { done: true, audienceId: id, name: a.name, tiktokAudienceId: a.tiktokAudienceId, deletedAtTiktok });
      else {
        const here = `Deleted "${a.name}" from Cohort Relay: ${a.cadence.kind !== 'manual' ? 'its schedule, sync history' : 'its sync history'} and the local record of who is in it are removed.`;
        ctx.stdout.write(`${here} ${deletedAtTiktok ? 'It was also deleted at TikTok: ad groups using it stop targeting it.' : a.tiktokAudienceId ? 'The audience stays in TikTok Ads Manager.' : 'It did not exist at TikTok.'}\n`);
      }
      return 0;
    });
  },
};
export default del;
