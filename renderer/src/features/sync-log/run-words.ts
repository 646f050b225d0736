/**
 * The sync log in actions, not endpoints: what a run did to the audience ("Added 801 people", "Held: would remove
 * 40 %") and what each TikTok call was for ("Sent a file of hashed ids"). The endpoint stays beside it, small, for support.
 */
import { fmtDateTime, fmtInt } from '../../app/format';
import type { ApiCallView, RunView } from '../../../../shared/ipc/dto';
import { callsText, runCalls, runReplaced } from '../../../../shared/run-counts-text';

function people(n: number): string {
  return `${fmtInt(n)} ${n === 1 ? 'person' : 'people'}`;
}

/** "12 %" out of a held run's words ("… would remove 40 of 100 people (40 %) …"), or null. */
function heldShare(message: string | undefined): string | null {
  const m = message?.match(/\((\d+(?:[.,]\d+)?\s?%)\)/);
  return m ? m[1]!.replace(/(\d)%/, '$1 %') : null;
}

/** "sent 80 people to add", "replaced the membership with 1,800 people": what the acknowledged calls sent; null for nothing. */
function sentWords(r: RunView): string | null {
  const s = r.sent;
  if (s.replace && s.replaced !== null) return `replaced the membership with ${people(s.replaced)}`;
  const added = (s.replaced ?? 0) + s.appended;
  const parts = [];
  if (added > 0) parts.push(`added ${people(added)}`);
  if (s.removed > 0) parts.push(`removed ${people(s.removed)}`);
  return parts.length ? parts.join(', ') : null;
}

/** One line: what the run did, or would have done, to the audience. */
export function runSummary(r: RunView): string {
  const changes = (verbAdd: string, verbRemove: string) => {
    const parts = [];
    if (r.adds > 0) parts.push(`${verbAdd} ${people(r.adds)}`);
    if (r.removes > 0) parts.push(`${parts.length ? verbRemove.toLowerCase() : verbRemove} ${people(r.removes)}`);
    return parts.join(', ');
  };
  const calls = runCalls(r);
  const callWords = callsText(calls, fmtInt);
  // What the run's acknowledged calls sent (from the quota ledger), whatever it planned.
  const sent = sentWords(r);
  if (r.status === 'running') return calls === 0 ? 'Syncing… nothing sent yet' : `Syncing… ${sent ? `${sent} so far` : 'nothing acknowledged yet'} (${callWords})`;
  if (r.status === 'held') {
    if (r.error?.code === 'MEMBERSHIP_UNKNOWN') return 'Held: TikTok shows changes not sent from here';
    const share = heldShare(r.error?.message);
    return `Held: would remove ${share ?? people(r.removes)}`;
  }
  if (r.dryRun || r.status === 'planned') {
    const c = changes('would add', 'Would remove');
    return c ? `Dry run: ${c}` : 'Dry run: nothing to change';
  }
  // An erasure request (#12.4) says only that: never who.
  if (r.trigger === 'erase' && r.status === 'done') return `${people(r.removes)} erased on request`;
  if (r.trigger === 'erase' && r.status === 'deferred') return `Erase request queued${r.deferredUntil ? ` until ${fmtDateTime(r.deferredUntil)}` : ''}: today's calls are used`;
  const done = runReplaced(r) && r.sent.replaced !== null ? `Replaced the whole audience: ${people(r.sent.replaced)}` : changes('Added', 'Removed');
  // A run's counts are what it planned: one that spent no call changed nothing, one that stopped part-way only some.
  const planned = changes('add', 'remove');
  const unanswered = r.sent.unanswered > 0 ? `; ${callsText(r.sent.unanswered, fmtInt)} got no answer, so ${r.sent.unanswered === 1 ? 'it' : 'they'} may have changed the audience` : '';
  const partly = `${sent ? `${sent} in ` : ''}${callWords}${sent ? '' : ' of it sent'} (it planned to ${planned})${unanswered}`;
  switch (r.status) {
    case 'failed':
      return calls === 0 || !planned ? 'Failed: nothing was changed' : `Failed after ${partly}`;
    case 'cancelled':
      return calls === 0 || !planned ? 'Cancelled before any change' : `Cancelled after ${partly}`;
    case 'deferred':
      return `${calls === 0 || !planned ? 'Nothing sent yet' : partly.charAt(0).toUpperCase() + partly.slice(1)}; the rest waits${r.deferredUntil ? ` until ${fmtDateTime(r.deferredUntil)}` : ''}`;
    default:
      return done || 'Nothing to change: TikTok already had everyone';
  }
}

/** "Spring buyers · 24 Nov, 06:00": the run's title names the audience and the time. */
export function runTitle(r: RunView): string {
  return `${r.audienceName ?? 'Deleted audience'} · ${fmtDateTime(r.startedAt)}`;
}

const CALL_ACTIONS: [RegExp, string][] = [
  [/^dmp\/custom_audience\/file\/upload\/$/, 'Sent a file of hashed ids'],
  [/^dmp\/custom_audience\/create\/$/, 'Created the audience'],
  [/^dmp\/custom_audience\/update\/$/, 'Added or removed the sent people'],
  [/^dmp\/custom_audience\/get\/$/, "Read the audience's status"],
  [/^dmp\/custom_audience\/list\/$/, 'Listed the ad account’s audiences'],
  [/^dmp\/custom_audience\/delete\/$/, 'Deleted the audience at TikTok'],
  [/^dmp\/custom_audience\/apply\/log\/$/, 'Read which ad groups use it'],
  [/^dmp\/custom_audience\/apply\/$/, 'Changed which ad groups use it'],
  [/^dmp\/custom_audience\/lookalike\//, 'Made or changed a lookalike'],
  [/^dmp\/custom_audience\/share\//, 'Shared the audience'],
  [/^segment\/audience\/$/, 'Created or changed the partner audience'],
  [/^segment\/mapping\/$/, 'Sent people to the partner audience'],
  [/^oauth2\/access_token\/$/, 'Signed in'],
  [/^oauth2\/revoke_token\/$/, 'Revoked the access'],
  [/^(oauth2\/advertiser\/get|advertiser\/info)\/$/, 'Read the ad accounts'],
  [/^user\/info\/$/, 'Checked the connection'],
];

/** What a TikTok call was for, in words; the endpoint itself when it is not one we know. */
export function callAction(c: Pick<ApiCallView, 'endpoint'>): string {
  const e = c.endpoint.replace(/^\/+/, '').replace(/^open_api\/v[\d.]+\//, '');
  return CALL_ACTIONS.find(([re]) => re.test(e))?.[1] ?? e;
}

/** "OK", TikTok's code, or the HTTP status. */
export function callResult(c: Pick<ApiCallView, 'code' | 'httpStatus'>): string {
  if (c.code === 0) return 'OK';
  if (c.code !== null) return `Refused (code ${c.code})`;
  return c.httpStatus !== null ? `HTTP ${c.httpStatus}` : 'No answer';
}
