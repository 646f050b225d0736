/** The contract's `runs:*` channels: the sync log, one run with its TikTok calls, and a run's rejects. */
import { AppError } from '../../../../shared/errors';
import type { Handlers } from '../../../../shared/ipc/contract';
import type { EngineContext } from '../context';
import { exportRejects } from '../imports';
import { runWithCalls } from '../ops/runs';
import { requireFile } from '../source-checks';
import { apiCallView, runView } from '../views';

type RunsChannel = Extract<keyof Handlers, `runs:${string}`>;

export function runsHandlers(ctx: Pick<EngineContext, 'app' | 'jobs' | 'hub'>): Pick<Handlers, RunsChannel> {
  const { app, jobs, hub } = ctx;
  const { store } = app;
  return {
    'runs:list': async (req) => {
      const names = new Map(store.audiences.list().map((a) => [a.id, a.name]));
      return store.runs.list({ audienceId: req?.audienceId, limit: req?.limit ?? 100 }).map((r) => runView(r, r.audienceId === null ? null : (names.get(r.audienceId) ?? null)));
    },
    'runs:get': async ({ runId }) => {
      const found = runWithCalls(app, runId);
      if (!found) throw new AppError('INVALID_ARGUMENT', `There is no run ${runId} in the sync log. Pick a run from the list.`);
      const r = found.run;
      const name = r.audienceId === null ? null : (store.audiences.get(r.audienceId)?.name ?? null);
      return { ...runView(r, name), calls: found.calls.map(apiCallView) };
    },
    'runs:exportRejects': async ({ runId, outPath }) => {
      const r = store.runs.get(runId);
      if (!r) throw new AppError('INVALID_ARGUMENT', `There is no run ${runId} in the sync log. Pick a run from the list.`);
      const a = r.audienceId === null ? undefined : store.audiences.get(r.audienceId);
      if (!a) throw new AppError('INVALID_ARGUMENT', 'The audience of this run was deleted, so its key mapping is unknown. Export the rejects from the import screen instead.');
      if (!r.sourcePath) throw new AppError('FILE_NOT_FOUND', 'This run read no file (an undo sends a computed change), so it has no rejects to export.');
      requireFile(r.sourcePath, 'cohort file of this run');
      const mapping = a.keys[0]!;
      const file = r.sourcePath;
      // The file read as the audience's syncs read it: every key and column of its mapping, its header answer.
      const read = {
        ...(mapping.extraColumns?.length ? { extraColumns: mapping.extraColumns } : {}),
        ...(a.hasHeader === null || a.hasHeader === undefined ? {} : { hasHeader: a.hasHeader }),
        ...(a.keys.length > 1 ? { keys: a.keys } : {}),
      };
      return jobs.run(file, (signal) =>
        exportRejects({ path: file, key: mapping.key, column: mapping.column ?? undefined, countryColumn: mapping.countryColumn, profile: a.profile, outPath, ...read }, { signal, emit: (p) => hub.emit('import:progress', p) }),
      );
    },
  };
}
