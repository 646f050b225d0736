/** The contract's `import:*` channels: the import screens' file jobs (preview, validate, export rejects), one per file. */
import type { Handlers } from '../../../../shared/ipc/contract';
import type { EngineContext } from '../context';
import { exportRejects, hashLabView, previewView, tryValue, validateFile } from '../imports';

type ImportChannel = Extract<keyof Handlers, `import:${string}`>;

export function importHandlers(ctx: Pick<EngineContext, 'jobs' | 'hub'>): Pick<Handlers, ImportChannel> {
  const { jobs, hub } = ctx;
  return {
    'import:preview': async ({ path, defaultCountry, hasHeader, countryColumn }) => jobs.run(path, () => previewView(path, defaultCountry ?? null, hasHeader, countryColumn)),
    'import:hashLab': async (req) => hashLabView(req),
    'import:validate': async (req) => jobs.run(req.path, (signal) => validateFile(req, { signal, emit: (p) => hub.emit('import:progress', p) })),
    'import:exportRejects': async (req) => jobs.run(req.path, (signal) => exportRejects(req, { signal, emit: (p) => hub.emit('import:progress', p) })),
    'import:cancel': async ({ path }) => ({ cancelled: jobs.cancel(path) }),
    'import:tryValue': async (req) => tryValue(req),
    // Only the web host keeps copies to release (its wrapper removes them); the engine holds nothing per file.
    'import:release': async () => null,
  };
}
