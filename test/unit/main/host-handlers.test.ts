import { describe, expect, it, vi } from 'vitest';
import { withHostEffects } from '../../../electron/main/host-handlers';
import { fakeHandlers, SETTINGS } from '../ipc/fake-handlers';

describe('withHostEffects', () => {
  it('applies settings after settings:get and settings:set, and returns the engine result unchanged', async () => {
    const onSettings = vi.fn();
    const next = { ...SETTINGS, launchAtLogin: true };
    const h = withHostEffects(fakeHandlers({ 'settings:get': async () => SETTINGS, 'settings:set': async () => next }), { onSettings, onStateChanged: vi.fn() });
    expect(await h['settings:get'](undefined)).toBe(SETTINGS);
    expect(await h['settings:set']({ launchAtLogin: true })).toBe(next);
    expect(onSettings.mock.calls).toEqual([[SETTINGS], [next]]);
  });

  it('refreshes the tray after pause-all and sync now, but not when the engine refused', async () => {
    const onStateChanged = vi.fn();
    const h = withHostEffects(fakeHandlers({ 'sync:pauseAll': async ({ paused }) => ({ paused }) }), { onSettings: vi.fn(), onStateChanged });
    expect(await h['sync:pauseAll']({ paused: true })).toEqual({ paused: true });
    await expect(h['sync:run']({ audienceId: 1 })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(onStateChanged).toHaveBeenCalledTimes(1);
  });

  it('does not turn a successful change into an error when the host effect fails', async () => {
    const h = withHostEffects(fakeHandlers({ 'settings:set': async () => SETTINGS }), {
      onSettings: () => {
        throw new Error('no autostart folder');
      },
      onStateChanged: vi.fn(),
    });
    expect(await h['settings:set']({ notifications: false })).toBe(SETTINGS);
  });
});
