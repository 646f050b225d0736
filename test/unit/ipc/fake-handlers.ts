/** Fake engine handlers for host tests: every channel answers INTERNAL unless a test overrides it. */
import { CHANNELS } from '../../../shared/ipc/channels';
import type { Handlers } from '../../../shared/ipc/contract';
import type { SettingsView } from '../../../shared/ipc/dto';
import { AppError } from '../../../shared/errors';

export function fakeHandlers(overrides: Partial<Handlers> = {}): Handlers {
  const base = Object.fromEntries(
    CHANNELS.map((c) => [
      c,
      async () => {
        throw new AppError('INTERNAL', `fake handler for ${c} was not given`);
      },
    ]),
  ) as unknown as Handlers;
  return { ...base, ...overrides };
}

export const SETTINGS: SettingsView = {
  environment: 'offline-sandbox',
  defaultCountry: 'US',
  dailyCallBudget: 24,
  rateLimits: { qps: 10, qpm: 600 },
  notifications: true,
  launchAtLogin: false,
  theme: 'system',
  dataFolder: '/data',
  pausedAll: false,
};
