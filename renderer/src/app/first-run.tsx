/**
 * First launch (no connection, no audience) leads somewhere: first "Try it with the offline sandbox", then
 * "Next: import a cohort". Once a connection exists the first step shows as done and the next one is the primary.
 */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from './store';
import { Button } from '../ui/button';

export function FirstRun() {
  const s = useApp(
    useShallow((st) => ({
      connected: (st.connections.data ?? []).length > 0,
      busy: st.connectBusy,
      connectSandbox: st.connectSandbox,
      navigate: st.navigate,
    })),
  );
  return (
    <section className="first-run card" aria-labelledby="first-run-title">
      <h2 id="first-run-title">No audiences yet</h2>
      <p className="muted">Cohort Relay keeps a TikTok custom audience in step with a cohort CSV. Two steps to see it work, without an account:</p>
      <ol className="first-run-steps">
        <li className={s.connected ? 'first-run-done' : 'first-run-current'}>
          <div>
            <strong>{s.connected ? 'Connected' : 'Try it with the offline sandbox'}</strong>
            <p className="muted small">A TikTok simulator on this computer: nothing is sent to TikTok. Connect your real account later under Connections.</p>
          </div>
          {!s.connected && (
            <div className="actions">
              <Button variant="primary" onClick={() => void s.connectSandbox()} busy={s.busy === 'sandbox'} busyLabel="Starting the sandbox…" disabled={s.busy !== null && s.busy !== 'sandbox'}>
                Try it with the offline sandbox
              </Button>
              <Button variant="ghost" onClick={() => s.navigate({ name: 'connect' })}>
                Connect TikTok instead
              </Button>
            </div>
          )}
        </li>
        <li className={s.connected ? 'first-run-current' : 'first-run-todo'}>
          <div>
            <strong>Next: import a cohort</strong>
            <p className="muted small">Drop a CSV on this window or pick one: check its columns, dry-run, then sync. Nothing is sent before you choose Sync now.</p>
          </div>
          <Button variant={s.connected ? 'primary' : 'secondary'} onClick={() => s.navigate({ name: 'import' })}>
            Next: import a cohort
          </Button>
        </li>
      </ol>
    </section>
  );
}
