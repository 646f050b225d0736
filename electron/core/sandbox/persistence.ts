/** What `--data DIR` keeps of the sandbox across restarts of `cohort-relay sandbox` (server.ts writes the file). */
import { SANDBOX_ACCESS_TOKEN } from './seed';
import type { ApplyEntry, Audience, ShareEntry, SimStore, Token, UploadedFile } from './store';

export interface PersistedState {
  version: 1;
  audienceCounter: number;
  tokens: Token[];
  files: UploadedFile[];
  audiences: (Omit<Audience, 'members'> & { members: string[] })[];
  dailyCalls: [string, number][];
  /** Audiences attached to the seeded ad groups, the latest Applies and shares (absent in states of older versions). */
  adGroups?: { adgroupId: string; include: string[]; exclude: string[] }[];
  applied?: ApplyEntry[];
  shares?: ShareEntry[];
}

/** The state to write to `sandbox-state.json` (the seeded token is seeded again, not kept). */
export function persistedState(store: SimStore): PersistedState {
  return {
    version: 1,
    audienceCounter: store.audienceCounter,
    tokens: [...store.tokens.values()].filter((t) => t.token !== SANDBOX_ACCESS_TOKEN),
    files: [...store.files.values()],
    audiences: [...store.audiences.values()].map((a) => ({ ...a, members: [...a.members] })),
    dailyCalls: [...store.dailyCalls.entries()],
    adGroups: [...store.adGroups.values()].map((g) => ({ adgroupId: g.adgroupId, include: g.include, exclude: g.exclude })),
    applied: [...store.applied.values()],
    shares: [...store.shares.values()],
  };
}

/** Restores a state written by `persistedState` (a version it does not know is ignored: the sandbox starts fresh). */
export function restoreState(store: SimStore, p: PersistedState): void {
  if (p.version !== 1) return;
  store.audienceCounter = p.audienceCounter;
  for (const t of p.tokens) store.tokens.set(t.token, t);
  for (const f of p.files) store.files.set(f.filePath, f);
  for (const a of p.audiences) store.audiences.set(a.audienceId, { ...a, members: new Set(a.members) });
  for (const [k, v] of p.dailyCalls) store.dailyCalls.set(k, v);
  for (const g of p.adGroups ?? []) {
    const cur = store.adGroups.get(g.adgroupId);
    if (cur) Object.assign(cur, { include: g.include, exclude: g.exclude });
  }
  for (const e of p.applied ?? []) store.applied.set(`${e.adgroupId}|${e.audienceId}`, e);
  for (const e of p.shares ?? []) store.shares.set(`${e.audienceId}|${e.advertiserId}`, e);
}
