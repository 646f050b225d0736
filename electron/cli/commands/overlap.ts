import { AppError } from '../../../shared/errors';
import type { OverlapView } from '../../../shared/ipc/overlap-dto';
import { audienceOverlap, withApp } from '../../core/engine/ops';
import { knownAudience } from '../audience-arg';
import { flag, parseLocalId, printJson, type CliCommand } from '../command';
import { fmt } from '../cohort-args';

const pct = (r: number | null) => (r === null ? '—' : `${(Math.round(r * 1000) / 10).toLocaleString('en-US')} %`);
const KEY_WORDS = { email: 'email', phone: 'phone', maid: 'mobile ad id' } as const;

/** The overlap in words, for a person at a terminal. */
function overlapText(v: OverlapView, names: [string, string]): string[] {
  const lines: string[] = [];
  const l = v.local;
  if (l) {
    lines.push(`Exact overlap from the hashes kept on this computer (nothing sent): "${l.a.name}" ${fmt(l.a.size)} people, "${l.b.name}" ${fmt(l.b.size)} people.`);
    if (l.both !== null) {
      lines.push(`In both: ${fmt(l.both)} (${pct(l.shareOfA)} of "${l.a.name}", ${pct(l.shareOfB)} of "${l.b.name}"); only in "${l.a.name}": ${fmt(l.onlyA ?? 0)}; only in "${l.b.name}": ${fmt(l.onlyB ?? 0)}.`);
    } else {
      for (const k of l.byKey) lines.push(`By ${KEY_WORDS[k.key]}: ${fmt(k.both)} in both (of ${fmt(k.a)} and ${fmt(k.b)}).`);
    }
    if (l.note) lines.push(l.note);
  } else if (v.localProblem) {
    lines.push(`Exact overlap: not counted here. ${v.localProblem}`);
  }
  const t = v.tiktok;
  if (t) {
    lines.push(
      `TikTok (matched users): "${names[0]}" ${t.aMatched === null ? '—' : fmt(t.aMatched)}, "${names[1]}" ${t.bMatched === null ? '—' : fmt(t.bMatched)}; ` +
        `${pct(t.overlapRate)} of "${names[0]}"'s matched users are also in "${names[1]}"${t.overlapCountRange ? ` (about ${t.overlapCountRange} people)` : ''}.`,
    );
  }
  return lines;
}

/**
 * `cohort-relay overlap --audience-id A --audience-id B [--tiktok]`: how many people two local audiences share, exactly,
 * from the hashes this computer keeps of what each was last synced with (nothing is sent). `--tiktok` also asks TikTok
 * for the overlap of their matched users (a read; no audience call is spent).
 */
const overlap: CliCommand = {
  summary: 'Compare two audiences: the exact overlap of their people from the hashes kept here (nothing sent); --tiktok adds TikTok\'s overlap of matched users.',
  usage: 'cohort-relay overlap --audience-id A --audience-id B [--tiktok] [--json]',
  options: { 'audience-id': { type: 'string', multiple: true }, tiktok: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(ctx) {
    const raw = ctx.values['audience-id'];
    const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((x) => parseLocalId(String(x)));
    if (ids.length !== 2) {
      throw new AppError('INVALID_ARGUMENT', 'Name two audiences: --audience-id A --audience-id B (the numbers "cohort-relay status" shows).');
    }
    return withApp(ctx.env, async (app) => {
      const [a, b] = [knownAudience(app, ids[0]!), knownAudience(app, ids[1]!)];
      const v = await audienceOverlap(app, [a.id, b.id], flag(ctx, 'tiktok'));
      if (flag(ctx, 'json')) printJson(ctx, v);
      else ctx.stdout.write(`${overlapText(v, [a.name, b.name]).join('\n')}\n`);
      return 0;
    });
  },
};
export default overlap;
