/** The sync log: runs, and one run with the API calls it made. */
import type { ApiCallRecord, RunRecord } from '../../store/runs-repo';
import type { App } from './app';

/** The newest runs first, of one audience or of all. */
export function listRuns(app: App, opts: { audienceId?: number; limit?: number } = {}): RunRecord[] {
  return app.store.runs.list({ audienceId: opts.audienceId, limit: opts.limit ?? 50 });
}

/** One run and its API calls; null when the sync log has no such run. */
export function runWithCalls(app: App, runId: number): { run: RunRecord; calls: ApiCallRecord[] } | null {
  const run = app.store.runs.get(runId);
  return run ? { run, calls: app.store.runs.apiCalls(run.id) } : null;
}
