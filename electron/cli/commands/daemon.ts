import { startEngineProcess } from '../../core/engine/engine-client';
import { resolveDataDir } from '../../core/engine/host-support';
import type { AppErrorShape } from '../../../shared/errors';
import type { RunStatus } from '../../../shared/ipc/dto';
import { str, type CliCommand } from '../command';
import { holdNextSteps } from '../removal-args';

/** What the daemon reports of one finished run: the counts are those of the sync log, when it could be read. */
export interface DaemonRun {
  status: RunStatus;
  error: AppErrorShape | null;
  counts: { adds: number; removes: number; callsUsed: number } | null;
}

/**
 * One line per scheduled run; a held run (it needs the user, nothing was sent) adds how to decide, since nobody
 * watches a daemon's screen: the commands, run from any terminal.
 */
export function daemonReport(at: Date, id: number, o: DaemonRun, workspace: string | null = null): string {
  const counts = o.counts ? `, +${o.counts.adds} −${o.counts.removes}, ${o.counts.callsUsed} calls` : '';
  const line = `${at.toISOString()} ${workspace === null ? '' : `workspace "${workspace}" `}audience ${id}: ${o.status}${counts}${o.error ? ` — ${o.error.message}` : ''}\n`;
  if (o.status !== 'held') return line;
  const reason = o.error?.code === 'MEMBERSHIP_UNKNOWN' ? 'membership' : 'removals';
  const steps = holdNextSteps(id, { sameCommand: false, reason }).map((l) => (workspace === null ? l : l.replace(/^(.*?)(cohort-relay )/, `$1$2--workspace "${workspace}" `)));
  return `${line}${steps.map((l) => `   ${l}\n`).join('')}`;
}

/** A run's counts in a workspace's sync log (not the engine's active workspace: its channels do not reach it); null when unreadable. */
async function countsIn(baseDir: string, env: NodeJS.ProcessEnv, workspaceId: string, runId: number): Promise<DaemonRun['counts']> {
  try {
    const [{ withApp, runWithCalls }, { workspaceDir, workspaceEnv }] = await Promise.all([import('../../core/engine/ops'), import('../../core/engine')]);
    return await withApp({ ...workspaceEnv(env, workspaceId), COHORT_RELAY_HOME: workspaceDir(baseDir, workspaceId) }, async (app) => {
      const r = runWithCalls(app, runId)?.run;
      return r ? { adds: r.adds, removes: r.removes, callsUsed: r.callsUsed } : null;
    });
  } catch {
    return null;
  }
}

/**
 * `cohort-relay daemon`: the scheduler, headless, until SIGTERM / SIGINT. The engine runs in a process of its
 * own (out/engine/index.js, issue #13 §1) with its scheduler; this process reports each run and supervises it
 * (a crashed engine is restarted; its interrupted run is closed and resumed by the next one).
 */
const daemon: CliCommand = {
  summary: 'Run scheduled syncs in the background (headless) until stopped with SIGTERM or Ctrl-C.',
  usage: 'cohort-relay daemon [--tick SECONDS]   (every workspace\'s schedules; --workspace NAME for one workspace only)',
  options: { tick: { type: 'string' } },
  async run(ctx) {
    const tick = Number(str(ctx, 'tick') ?? 30);
    const dataDir = resolveDataDir(ctx.env);
    const engine = await startEngineProcess({
      init: { dataDir, workspace: ctx.env.COHORT_RELAY_WORKSPACE?.trim() || undefined, host: 'cli', internals: { env: ctx.env, tickMs: Math.max(1, tick) * 1000 } },
      log: (line) => ctx.stderr.write(`${line}\n`),
    });
    let stopping = false;
    const reports: Promise<void>[] = [];
    // With several workspaces, each line names its workspace (audience ids repeat across workspaces).
    // Asked again at each report: a workspace created after the start names every line from then on.
    const activeName = async (): Promise<string | null> => {
      const list = await engine.handlers['workspaces:list'](undefined).catch(() => null);
      return list && (list.workspaces.length > 1 || ctx.env.COHORT_RELAY_WORKSPACE) ? (list.workspaces.find((w) => w.active)?.name ?? null) : null;
    };
    let lastName = await activeName();
    engine.events.subscribe((e) => {
      if (e.event === 'engine:restarted') ctx.stderr.write(`${new Date().toISOString()} ${e.payload.message}\n`);
      if (e.event !== 'run:finished') return;
      const p = e.payload;
      const background = p.workspace ?? null;
      reports.push(
        (async () => {
          // A run cancelled by the stop is reported from its event: the engine is closing its store. The engine's
          // channels reach the active workspace only: another workspace's run is reported from its event too.
          // Another workspace's counts are read from its own sync log, so every line has them.
          const run = stopping ? null : background ? await countsIn(dataDir, ctx.env, background.id, p.runId) : await engine.handlers['runs:get']({ runId: p.runId }).catch(() => null);
          if (!background && !stopping) lastName = await activeName();
          ctx.stdout.write(daemonReport(new Date(), p.audienceId, { status: p.status, error: p.error, counts: run }, background?.name ?? lastName));
        })(),
      );
    });
    ctx.stdout.write(`Cohort Relay daemon started (pid ${process.pid}); checking schedules every ${tick} s. Stop with SIGTERM or Ctrl-C.\n`);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // The engine cancels a running sync (its slot runs again at the next start) and closes its store.
    stopping = true;
    await engine.shutdown();
    await Promise.all(reports);
    ctx.stdout.write('Cohort Relay daemon stopped.\n');
    return 0;
  },
};
export default daemon;
