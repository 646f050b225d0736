/**
 * The run log says what happened (review s7 2e): calls counted from the quota ledger (a call whose answer never came
 * too), a running run says it is running, a cut-short run what it sent of its plan, a full replace as a replace.
 */
import { describe, expect, it } from 'vitest';
import type { RunSent } from '../../../../shared/ipc/dto';
import { runCalls, runCountsText, runDid, type RunCounts } from '../../../../shared/run-counts-text';

const fmt = (n: number) => n.toLocaleString('en-US');
const sent = (over: Partial<RunSent> = {}): RunSent => ({ calls: 0, unanswered: 0, appended: 0, removed: 0, replaced: null, replace: false, ...over });
const r = (over: Partial<RunCounts>): RunCounts => ({ status: 'done', adds: 0, removes: 0, callsUsed: 0, sent: sent(), ...over });

describe('run counts in words', () => {
  it('counts a call the ledger holds though its answer never came: not "nothing sent, 0 calls"', () => {
    const killed = r({ status: 'failed', adds: 1494, callsUsed: 0, sent: sent({ calls: 1, unanswered: 1, replaced: null }) });
    expect(runCalls(killed)).toBe(1);
    expect(runCountsText(killed, fmt)).toBe('+1,494 −0 planned, 1 call sent, 1 call without a recorded answer (it may have changed the audience)');
    expect(runDid(killed)).toBeNull();
  });

  it('says a running run is running, with what it sent so far', () => {
    expect(runCountsText(r({ status: 'running' }), fmt)).toBe('running, nothing sent yet');
    expect(runCountsText(r({ status: 'running', adds: 200, removes: 120, callsUsed: 1, sent: sent({ calls: 1, appended: 80 }) }), fmt)).toBe('running: +80 −0 sent so far, 1 call');
  });

  it('shows what a cut-short run sent of its plan, and that as what it did', () => {
    const waiting = r({ status: 'deferred', adds: 200, removes: 120, callsUsed: 1, sent: sent({ calls: 1, appended: 80 }) });
    expect(runCountsText(waiting, fmt)).toBe('+80 −0 sent of +200 −120 planned, 1 call');
    expect(runDid(waiting)).toEqual({ added: 80, removed: 0, replaced: null });
    expect(runCountsText(r({ status: 'deferred', adds: 10, removes: 2 }), fmt)).toBe('+10 −2 planned, nothing sent');
  });

  it('shows a full replace as a replace, not "+N −0"', () => {
    const replace = r({ adds: 1800, callsUsed: 1, sent: sent({ calls: 1, replaced: 1800, replace: true }) });
    expect(runCountsText(replace, fmt)).toBe('replaced: 1,800 people');
    expect(runDid(replace)).toEqual({ added: 0, removed: 0, replaced: 1800 });
    // A create sets the membership too, but of a new audience: its people are added.
    expect(runCountsText(r({ adds: 1500, callsUsed: 1, sent: sent({ calls: 1, replaced: 1500 }) }), fmt)).toBe('+1,500 −0');
    expect(runCountsText(r({ status: 'deferred', adds: 5000, callsUsed: 1, sent: sent({ calls: 1, replaced: 2000, replace: true }) }), fmt)).toBe('replaced: 2,000 people sent of +5,000 −0 planned, 1 call');
  });

  it('keeps a dry run at its plan', () => {
    expect(runCountsText(r({ status: 'planned', dryRun: true, adds: 5, removes: 1 }), fmt)).toBe('+5 −1 planned, nothing sent');
    expect(runCalls(r({ status: 'planned', dryRun: true }))).toBe(0);
  });
});
