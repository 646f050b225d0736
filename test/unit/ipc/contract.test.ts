import { describe, expect, it, vi } from 'vitest';
import { apiChannels, buildApi } from '../../../shared/ipc/api-object';
import { CHANNELS, EVENTS, isChannel, isEventName, splitChannel } from '../../../shared/ipc/channels';
import { contract } from '../../../shared/ipc/contract';
import type { RequestIn } from '../../../shared/ipc/contract';
import { createEventHub } from '../../../shared/ipc/events';
import { parseWireRequest } from '../../../shared/ipc/wire';

const profile = { emailStripPlusAndDots: false, phoneKeepPlus: false, defaultCountry: 'US' };
const ok = (channel: keyof typeof contract, arg: unknown) => contract[channel].request.safeParse(arg).success;

describe('the contract', () => {
  it('has a schema for exactly the channel list, every name domain:verb', () => {
    expect(Object.keys(contract).sort()).toEqual([...CHANNELS].sort());
    for (const c of CHANNELS) expect(c).toMatch(/^[a-z]+:[a-zA-Z]+$/);
  });

  it('covers every operation the desktop-shell issue names', () => {
    const required = [
      'connections:list', 'connections:loginOAuth', 'connections:pasteToken', 'connections:connectSandbox', 'connections:disconnect', 'connections:advertisers',
      'import:preview', 'import:hashLab', 'import:validate', 'import:exportRejects',
      'audiences:list', 'audiences:get', 'audiences:create', 'audiences:update', 'audiences:deleteLocal', 'audiences:tiktokList',
      'sync:plan', 'sync:run', 'sync:cancel', 'sync:undo', 'sync:pauseAll',
      'runs:list', 'runs:get', 'runs:exportRejects', 'quota:get', 'settings:get', 'settings:set',
    ];
    for (const c of required) expect(CHANNELS).toContain(c);
    expect([...EVENTS].sort()).toEqual(expect.arrayContaining(['run:progress', 'run:finished', 'audience:statusChanged', 'connection:needsReconnect']));
  });

  it('accepts a full audiences:create and refuses a duplicate key type or an impossible time', () => {
    const create: RequestIn<'audiences:create'> = {
      advertiserId: '7000000001',
      name: 'Spring buyers',
      keys: [{ key: 'email', column: 'Email' }],
      sourcePath: '/home/me/cohort.csv',
      profile,
      cadence: { kind: 'daily', at: '06:30' },
      suppressPath: '/home/me/converted.csv',
    };
    expect(ok('audiences:create', create)).toBe(true);
    expect(ok('audiences:create', { ...create, existingTiktokAudienceId: '123' })).toBe(true);
    expect(ok('audiences:create', { ...create, keys: [{ key: 'email', column: 0 }, { key: 'email', column: 1 }] })).toBe(false);
    expect(ok('audiences:create', { ...create, cadence: { kind: 'daily', at: '24:00' } })).toBe(false);
    expect(ok('audiences:create', { ...create, cadence: { kind: 'weekly', weekday: 7, at: '06:00' } })).toBe(false);
    expect(ok('audiences:create', { ...create, keys: [{ key: 'fax', column: 0 }] })).toBe(false);
    expect(ok('audiences:create', { ...create, name: 'x'.repeat(129) })).toBe(false);
    expect(ok('audiences:create', { ...create, sourcePath: '/a\0b' })).toBe(false);
  });

  it('keeps the key type and profile out of audiences:update (they are locked once saved)', () => {
    expect(ok('audiences:update', { id: 1, cadence: { kind: 'hourly' }, paused: true, suppressPath: null })).toBe(true);
    expect(ok('audiences:update', { id: 1, keys: [{ key: 'phone', column: 0 }] })).toBe(false);
    expect(ok('audiences:update', { id: 1, profile })).toBe(false);
  });

  it('takes sync:cancel by run or by audience, and nothing else', () => {
    expect(ok('sync:cancel', { runId: 4 })).toBe(true);
    expect(ok('sync:cancel', { audienceId: 4 })).toBe(true);
    expect(ok('sync:cancel', {})).toBe(false);
    expect(ok('sync:cancel', { runId: 0 })).toBe(false);
  });

  it('takes a redirect URL or null (back to the default) for connections:setRedirectUri, and nothing for cancelLogin', () => {
    expect(ok('connections:setRedirectUri', { redirectUri: 'http://127.0.0.1:28561/oauth/callback' })).toBe(true);
    expect(ok('connections:setRedirectUri', { redirectUri: null })).toBe(true);
    expect(ok('connections:setRedirectUri', {})).toBe(false);
    expect(ok('connections:setRedirectUri', { redirectUri: '' })).toBe(false);
    expect(ok('connections:cancelLogin', undefined)).toBe(true);
    expect(ok('connections:cancelLogin', { now: true })).toBe(false);
    expect(EVENTS).toContain('connection:signInWaiting');
  });

  it('lets runs:list be called with nothing, or filtered', () => {
    expect(ok('runs:list', undefined)).toBe(true);
    expect(ok('runs:list', { audienceId: 2, limit: 50 })).toBe(true);
    expect(ok('runs:list', { limit: 100000 })).toBe(false);
  });

  it('bounds settings to what TikTok and the app allow', () => {
    expect(ok('settings:set', { environment: 'offline-sandbox', theme: 'dark', rateLimits: { qps: 5 }, dailyCallBudget: 24, defaultCountry: null })).toBe(true);
    expect(ok('settings:set', { environment: 'staging' })).toBe(false);
    expect(ok('settings:set', { rateLimits: { qps: 500 } })).toBe(false);
    expect(ok('settings:set', { dailyCallBudget: 0 })).toBe(false);
    expect(ok('settings:set', { pausedAll: true })).toBe(false);
  });
});

describe('channel names', () => {
  it('splits domain:verb and recognizes only listed names', () => {
    expect(splitChannel('connections:loginOAuth')).toEqual(['connections', 'loginOAuth']);
    expect(isChannel('sync:run')).toBe(true);
    expect(isChannel('sync:rm')).toBe(false);
    expect(isChannel(42)).toBe(false);
    expect(isEventName('run:progress')).toBe(true);
    expect(isEventName('sync:run')).toBe(false);
  });
});

describe('buildApi', () => {
  it('exposes one function per channel under its domain, plus on', () => {
    const api = buildApi(async () => ({ ok: true, value: null }), () => () => {});
    expect(apiChannels(api)).toEqual([...CHANNELS].sort());
    expect(typeof api.on).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.sync)).toBe(true);
  });

  it('sends the channel and only the first argument', async () => {
    const invoke = vi.fn(async () => ({ ok: true as const, value: { runId: 1 } }));
    const api = buildApi(invoke, () => () => {});
    const run = api.sync.run as unknown as (...args: unknown[]) => Promise<unknown>;
    expect(await run({ audienceId: 3 }, 'extra')).toEqual({ ok: true, value: { runId: 1 } });
    expect(invoke).toHaveBeenCalledWith('sync:run', { audienceId: 3 });
  });
});

describe('createEventHub', () => {
  it('delivers to every subscriber until it unsubscribes, even when one throws', () => {
    const hub = createEventHub();
    const seen: string[] = [];
    const offA = hub.subscribe((e) => seen.push(`a:${e.event}`));
    hub.subscribe(() => {
      throw new Error('closed window');
    });
    hub.subscribe((e) => seen.push(`c:${e.event}`));
    hub.emit('audience:statusChanged', { audienceId: 1 });
    offA();
    offA();
    hub.emit('run:finished', { runId: 1, audienceId: 1, status: 'done', trigger: 'manual', error: null });
    expect(seen).toEqual(['a:audience:statusChanged', 'c:audience:statusChanged', 'c:run:finished']);
    expect(hub.size).toBe(2);
  });
});

describe('parseWireRequest', () => {
  it('reads {id, channel, arg} and keeps an absent arg absent', () => {
    expect(parseWireRequest('{"id":1,"channel":"sync:run","arg":{"audienceId":2}}')).toEqual({ id: 1, channel: 'sync:run', arg: { audienceId: 2 } });
    expect(parseWireRequest('{"id":2,"channel":"settings:get"}')).toEqual({ id: 2, channel: 'settings:get' });
  });

  it('refuses frames it cannot answer', () => {
    for (const bad of ['not json', '[]', 'null', '{"channel":"x"}', '{"id":"1","channel":"x"}', '{"id":1.5,"channel":"x"}', '{"id":1}']) {
      expect(parseWireRequest(bad)).toBeNull();
    }
  });
});
