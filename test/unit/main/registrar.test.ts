import { describe, expect, it, vi } from 'vitest';
import { registerIpc } from '../../../electron/main/registrar';
import { createDispatcher } from '../../../shared/ipc/dispatcher';
import type { InvokeEventLike, IpcMainLike } from '../../../electron/main/registrar';
import { CHANNELS } from '../../../shared/ipc/channels';
import { AppError } from '../../../shared/errors';
import { fakeHandlers, SETTINGS } from '../ipc/fake-handlers';

describe('createDispatcher', () => {
  it('parses the argument and wraps the handler value in an ok envelope', async () => {
    const get = vi.fn(async ({ id }: { id: number }) => ({ id, name: 'Spring buyers' }) as never);
    const dispatch = createDispatcher(fakeHandlers({ 'audiences:get': get }));
    const result = await dispatch('audiences:get', { id: 7 }, true);
    expect(result).toEqual({ ok: true, value: { id: 7, name: 'Spring buyers' } });
    expect(get).toHaveBeenCalledWith({ id: 7 });
  });

  it('passes the parsed (trimmed) value, not the raw argument, to the handler', async () => {
    const paste = vi.fn(async () => ({}) as never);
    const dispatch = createDispatcher(fakeHandlers({ 'connections:pasteToken': paste }));
    await dispatch('connections:pasteToken', { token: '  abc  ' }, true);
    expect(paste).toHaveBeenCalledWith({ token: 'abc' });
  });

  it('answers a handler returning undefined with null, which survives JSON', async () => {
    const dispatch = createDispatcher(fakeHandlers({ 'audiences:deleteLocal': async () => undefined as unknown as null }));
    expect(await dispatch('audiences:deleteLocal', { id: 1 }, true)).toEqual({ ok: true, value: null });
  });

  it('accepts no argument for a channel without one', async () => {
    const dispatch = createDispatcher(fakeHandlers({ 'settings:get': async () => SETTINGS }));
    expect(await dispatch('settings:get', undefined, true)).toEqual({ ok: true, value: SETTINGS });
  });

  it('rejects a bad argument with INVALID_ARGUMENT naming the field, without calling the handler', async () => {
    const get = vi.fn();
    const dispatch = createDispatcher(fakeHandlers({ 'audiences:get': get }));
    const result = await dispatch('audiences:get', { id: 'seven' }, true);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_ARGUMENT');
    expect(result.error.retryable).toBe(false);
    expect(result.error.message).toMatch(/^Invalid request for audiences:get: id must be a number/);
    expect(get).not.toHaveBeenCalled();
  });

  it('rejects unknown fields (strict objects), so a renderer typo is not silently ignored', async () => {
    const dispatch = createDispatcher(fakeHandlers({ 'sync:run': async () => ({ runId: 1 }) }));
    const result = await dispatch('sync:run', { audienceId: 1, audiencID: 2 }, true);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('rejects an argument for a no-argument channel', async () => {
    const dispatch = createDispatcher(fakeHandlers({ 'audiences:list': async () => [] }));
    expect(await dispatch('audiences:list', { evil: true }, true)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('never echoes the rejected value (a token) in the error message', async () => {
    const dispatch = createDispatcher(fakeHandlers());
    const secret = 'tok_SECRET_12345';
    const result = await dispatch('connections:pasteToken', { token: secret, appId: 42, extra: secret }, true);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('gives settings errors in words a user can act on', async () => {
    const dispatch = createDispatcher(fakeHandlers());
    const result = await dispatch('settings:set', { defaultCountry: 'usa' }, true);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    if (!result.ok) expect(result.error.message).toContain('defaultCountry must be a two-letter country code such as US');
  });

  it('refuses the read-only dataFolder in settings:set', async () => {
    const dispatch = createDispatcher(fakeHandlers({ 'settings:set': async () => SETTINGS }));
    expect(await dispatch('settings:set', { dataFolder: '/elsewhere' }, true)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('rejects an unknown channel with INVALID_ARGUMENT', async () => {
    const dispatch = createDispatcher(fakeHandlers());
    const result = await dispatch('fs:readFile', { path: '/etc/passwd' }, true);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    if (!result.ok) expect(result.error.message).toContain('Unknown request "fs:readFile"');
  });

  it('does not treat inherited object keys as channels', async () => {
    const dispatch = createDispatcher(fakeHandlers());
    expect(await dispatch('constructor', undefined, true)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await dispatch('__proto__', undefined, true)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('refuses an untrusted sender before parsing or calling anything', async () => {
    const list = vi.fn(async () => []);
    const dispatch = createDispatcher(fakeHandlers({ 'audiences:list': list }));
    for (const check of [false, () => false, () => { throw new Error('frame gone'); }]) {
      const result = await dispatch('audiences:list', undefined, check);
      expect(result).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', retryable: false } });
    }
    expect(list).not.toHaveBeenCalled();
  });

  it('passes a thrown AppError through as its shape', async () => {
    const dispatch = createDispatcher(
      fakeHandlers({
        'sync:run': async () => {
          throw new AppError('QUOTA_EXHAUSTED', 'No calls left today for “Spring buyers”; the rest is sent after 00:00 UTC.');
        },
      }),
    );
    expect(await dispatch('sync:run', { audienceId: 3 }, true)).toEqual({
      ok: false,
      error: { code: 'QUOTA_EXHAUSTED', message: 'No calls left today for “Spring buyers”; the rest is sent after 00:00 UTC.', retryable: true },
    });
  });

  it('sanitizes any other failure to INTERNAL without its message or stack, and reports it to the host', async () => {
    const onInternalError = vi.fn();
    const boom = new TypeError('cannot read token abc123SECRET of undefined');
    const dispatch = createDispatcher(
      fakeHandlers({
        'runs:list': async () => {
          throw boom;
        },
      }),
      { onInternalError },
    );
    const result = await dispatch('runs:list', { limit: 5 }, true);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', retryable: false } });
    const text = JSON.stringify(result);
    expect(text).not.toContain('SECRET');
    expect(text).not.toContain('TypeError');
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    expect(onInternalError).toHaveBeenCalledWith('runs:list', boom);
  });

  it('does not report AppErrors as internal failures', async () => {
    const onInternalError = vi.fn();
    const dispatch = createDispatcher(fakeHandlers(), { onInternalError });
    await dispatch('audiences:list', undefined, true); // the fake throws AppError('INTERNAL', …)
    expect(onInternalError).not.toHaveBeenCalled();
  });
});

describe('registerIpc', () => {
  function fakeIpcMain() {
    const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
    const ipc: IpcMainLike = {
      handle: (channel, listener) => {
        if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        handlers.set(channel, listener);
      },
      removeHandler: (channel) => void handlers.delete(channel),
    };
    return { ipc, handlers };
  }
  const ours = { url: 'app://renderer/index.html', parent: null };

  it('registers exactly one handler per contract channel and removes them all', () => {
    const { ipc, handlers } = fakeIpcMain();
    const dispose = registerIpc(ipc, fakeHandlers(), () => true);
    expect([...handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    dispose();
    expect(handlers.size).toBe(0);
  });

  it('serves a trusted frame and refuses another frame, or a destroyed one', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const isTrusted = vi.fn((frame: { url: string }) => frame.url === ours.url);
    registerIpc(ipc, fakeHandlers({ 'settings:get': async () => SETTINGS }), isTrusted);
    const call = handlers.get('settings:get')!;
    expect(await call({ senderFrame: ours }, undefined)).toEqual({ ok: true, value: SETTINGS });
    expect(await call({ senderFrame: { url: 'https://evil.example/', parent: null } }, undefined)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(await call({ senderFrame: null }, undefined)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  it('reads only the first argument', async () => {
    const { ipc, handlers } = fakeIpcMain();
    const run = vi.fn(async () => ({ runId: 9 }));
    registerIpc(ipc, fakeHandlers({ 'sync:run': run }), () => true);
    expect(await handlers.get('sync:run')!({ senderFrame: ours }, { audienceId: 1 }, { audienceId: 2 })).toEqual({ ok: true, value: { runId: 9 } });
    expect(run).toHaveBeenCalledWith({ audienceId: 1 });
  });
});
