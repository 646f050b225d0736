/**
 * The names of every IPC channel and push event, with no schema library attached. The preload and the
 * renderer's bridge build their objects from these lists, so neither bundles zod; contract.ts checks at
 * compile time that it covers exactly these names.
 */

/** Request/response channels, named `domain:verb`. */
export const CHANNELS = [
  'connections:list',
  'connections:loginOAuth',
  'connections:pasteToken',
  'connections:connectSandbox',
  'connections:disconnect',
  'connections:advertisers',
  'connections:cancelLogin',
  'connections:redirectUri',
  'connections:setRedirectUri',
  'import:preview',
  'import:hashLab',
  'import:validate',
  'import:exportRejects',
  'import:cancel',
  'import:tryValue',
  'import:release',
  'audiences:list',
  'audiences:get',
  'audiences:create',
  'audiences:update',
  'audiences:setColumns',
  'audiences:deleteLocal',
  'audiences:delete',
  'audiences:tiktokList',
  'audiences:overlap',
  'use:adGroups',
  'use:apply',
  'use:usage',
  'use:lookalikes',
  'use:createLookalike',
  'use:refreshLookalike',
  'use:shares',
  'use:share',
  'use:unshare',
  'use:deleteAtTiktok',
  'use:createOptions',
  'use:setCreateOptions',
  'sync:plan',
  'sync:run',
  'sync:cancel',
  'sync:undo',
  'sync:undoPreview',
  'sync:confirmRemovals',
  'sync:keepAudience',
  'sync:pauseAll',
  'runs:list',
  'runs:get',
  'runs:exportRejects',
  'quota:get',
  'settings:get',
  'settings:set',
  'privacy:erasePreview',
  'privacy:erase',
  'workspaces:list',
  'workspaces:create',
  'workspaces:switch',
  'workspaces:rename',
  'workspaces:delete',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Push events, engine → renderer. Every subscription returns an unsubscribe. */
export const EVENTS = [
  'run:progress',
  'run:finished',
  'audience:statusChanged',
  'connection:needsReconnect',
  'connection:signInWaiting',
  'import:progress',
  'engine:restarted',
  'workspace:switched',
] as const;
export type EventName = (typeof EVENTS)[number];

/** `connections:loginOAuth` → `connections`. */
export type DomainOf<C extends string> = C extends `${infer D}:${string}` ? D : never;
/** `connections:loginOAuth` → `loginOAuth`. */
export type VerbOf<C extends string> = C extends `${string}:${infer V}` ? V : never;
export type Domain = DomainOf<Channel>;

const channelSet: ReadonlySet<string> = new Set(CHANNELS);
const eventSet: ReadonlySet<string> = new Set(EVENTS);

export function isChannel(x: unknown): x is Channel {
  return typeof x === 'string' && channelSet.has(x);
}

export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && eventSet.has(x);
}

/** Splits `domain:verb`; every name in CHANNELS has exactly one colon. */
export function splitChannel<C extends Channel>(channel: C): [DomainOf<C>, VerbOf<C>] {
  const i = channel.indexOf(':');
  return [channel.slice(0, i) as DomainOf<C>, channel.slice(i + 1) as VerbOf<C>];
}

/**
 * Preload → main: "the user gave this file" (a drop or the file picker). Not a contract channel: the page cannot
 * call it. Here, not in electron/preload, because hosts never import each other.
 */
export const FILE_GIVEN_CHANNEL = 'file:given';
