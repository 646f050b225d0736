import { CohortRelayApp } from '../../core/app';
import { str, type CliCommand } from '../command';
import { holdNextSteps } from '../removal-args';
import type { SyncOutcome } from '../../core/sync/sync-runner';

/**
 * One line per scheduled run; a held run (it needs the user, nothing was sent) adds how to decide, since nobody
 * watches a daemon's screen: the commands, run from any terminal.
 */
export function daemonReport(at: Date, id: number, o: SyncOutcome): string {
  const line = `${at.toISOString()} audience ${id}: ${o.status}, +${o.adds} −${o.removes}, ${o.callsUsed} calls${o.error ? ` — ${o.error.message}` : ''}\n`;
  if (o.status !== 'held' || !o.hold) return line;
  return `${line}${holdNextSteps(id, { sameCommand: false, reason: o.hold.reason }).map((l) => `   ${l}\n`).join('')}`;
}

/** `cohort-relay daemon`: the scheduler, headless, until SIGTERM / SIGINT. */
const daemon: CliCommand = {
  summary: 'Run scheduled syncs in the background (headless) until stopped with SIGTERM or Ctrl-C.',
  usage: 'cohort-relay daemon [--tick SECONDS]',
  options: { tick: { type: 'string' } },
  async run(ctx) {
    const tick = Number(str(ctx, 'tick') ?? 30);
    const app = await CohortRelayApp.open({ env: ctx.env });
    const scheduler = app.createScheduler({
      // Cancelled by the scheduler's own stop on SIGTERM, so a slot cut short runs again at the next start.
      runAudience: async (id, trigger, signal) => {
        const o = await app.sync.sync(id, trigger, signal);
        ctx.stdout.write(daemonReport(new Date(), id, o));
        return o;
      },
      tickMs: Math.max(1, tick) * 1000,
      onSkipped: (id, reason) => ctx.stderr.write(`${new Date().toISOString()} audience ${id} skipped: ${reason}\n`),
    });
    ctx.stdout.write(`Cohort Relay daemon started (pid ${process.pid}); checking schedules every ${tick} s. Stop with SIGTERM or Ctrl-C.\n`);
    scheduler.start();
    // The scheduler's timer does not hold the process open (hosts decide): this daemon does, until a signal.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    clearInterval(keepAlive);
    await scheduler.stop();
    app.close();
    ctx.stdout.write('Cohort Relay daemon stopped.\n');
    return 0;
  },
};
export default daemon;
