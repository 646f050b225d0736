/** The contract's `privacy:*` channels: erasing a person from every audience (each erasure is a tracked run). */
import type { Handlers } from '../../../../shared/ipc/contract';
import type { EngineContext } from '../context';
import { erasePerson, erasePreview, refuseWhileSyncing } from '../erase';

type PrivacyChannel = Extract<keyof Handlers, `privacy:${string}`>;

export function privacyHandlers(ctx: Pick<EngineContext, 'app' | 'runs' | 'isRunning'>): Pick<Handlers, PrivacyChannel> {
  const { app, runs } = ctx;
  return {
    'privacy:erasePreview': async ({ identifiers }) => erasePreview(app, identifiers),
    'privacy:erase': async ({ identifiers }) => {
      refuseWhileSyncing(app, identifiers, (id) => ctx.isRunning(id));
      return erasePerson(app, identifiers, (id, opts) => runs.track(id, 'erase', () => app.sync.erase(id, opts)).done);
    },
  };
}
