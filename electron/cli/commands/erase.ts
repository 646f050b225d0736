import type { KeyType } from '../../../shared/domain';
import { AppError } from '../../../shared/errors';
import { eraseFromAudience, erasePerson, erasePreview, holdOf, withApp, type ErasureIdentifier } from '../../core/engine/ops';
import { flag, printJson, type CliCommand, type CliContext } from '../command';
import { holdNextSteps } from '../removal-args';

const KEYS: readonly KeyType[] = ['email', 'phone', 'idfa', 'gaid'];

/** Every value given for a repeatable flag, in order. */
function values(ctx: CliContext, name: string): string[] {
  const v = ctx.values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

/**
 * `cohort-relay erase`: a right-to-erasure request (issue #12.4). The person's identifiers are hashed as a sync of
 * each audience would and the matching entries removed here and sent as a REMOVE to every audience holding them.
 * Without --yes it only says what it would do (nothing is changed or sent); the identifiers are never stored.
 */
const erase: CliCommand = {
  summary: 'Erase one person (email, phone, IDFA or GAID) from every audience, here and at TikTok; --yes to do it.',
  usage: 'cohort-relay erase (--email ADDRESS | --phone NUMBER | --idfa ID | --gaid ID | --id VALUE)... [--yes] [--json]',
  options: {
    email: { type: 'string', multiple: true },
    phone: { type: 'string', multiple: true },
    idfa: { type: 'string', multiple: true },
    gaid: { type: 'string', multiple: true },
    id: { type: 'string', multiple: true },
    yes: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(ctx) {
    // Each flag may be given more than once (a request naming two addresses): every value is erased, none dropped.
    const ids: ErasureIdentifier[] = [];
    for (const key of KEYS) for (const value of values(ctx, key)) ids.push({ key, value });
    for (const value of values(ctx, 'id')) ids.push({ key: null, value });
    if (ids.length === 0) throw new AppError('INVALID_ARGUMENT', 'Give the person to erase: --email, --phone, --idfa, --gaid, or --id with any of them.');
    return withApp(ctx.env, async (app) => {
      if (!flag(ctx, 'yes')) {
        const p = erasePreview(app, ids);
        if (flag(ctx, 'json')) printJson(ctx, { ...p, done: false });
        else ctx.stdout.write(`${p.message}\n${p.audiences.length ? 'Nothing was changed or sent. Run the same command with --yes to erase.\n' : ''}`);
        return 0;
      }
      const r = await erasePerson(app, ids, (id, opts) => eraseFromAudience(app, id, ctx.signal, opts));
      // Each audience's held sync, if any, as the erasure left it (kept, planned again without the person).
      const holdAfter = (id: number) => {
        const h = holdOf(app, id);
        return h && { reason: h.reason, state: h.state, currentSize: h.currentSize, adds: h.adds, removes: h.removes };
      };
      if (flag(ctx, 'json')) printJson(ctx, { ...r, audiences: r.audiences.map((a) => ({ ...a, hold: holdAfter(a.audienceId) })), done: true });
      else {
        ctx.stdout.write(`${r.message}\n`);
        // A held sync the erasure kept (planned again without the person): how to decide it, as `removals list` says.
        for (const a of r.audiences) {
          const h = holdOf(app, a.audienceId);
          if (h && h.state !== 'confirmed') ctx.stdout.write(`${a.name}:\n${holdNextSteps(a.audienceId, { sameCommand: false, reason: h.reason }).map((l) => `   ${l}`).join('\n')}\n`);
        }
      }
      return r.audiences.some((a) => a.outcome === 'failed') ? 1 : 0;
    });
  },
};
export default erase;
