/**
 * Settings → Workspaces: every workspace with what it holds, switch, create, rename, and delete behind a
 * confirmation that repeats the workspace's name and says what is removed.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { fmtInt } from '../../app/format';
import { Button } from '../../ui/button';
import { Modal } from '../../ui/modal';
import { ErrorBanner, Loading } from '../../ui/states';
import { WORKSPACE_NAME_MAX } from '../../../../shared/ipc/workspace-dto';
import type { WorkspaceView } from '../../../../shared/ipc/workspace-dto';

/** The workspace every install starts with (workspace-dto.ts): its data is the app's own folder, so it is never deleted. */
const DEFAULT_WORKSPACE_ID = 'default';

const count = (n: number, one: string, many: string) => `${fmtInt(n)} ${n === 1 ? one : many}`;

/** "3 audiences (2 on a schedule), 1 connection". */
export function workspaceSummary(w: Pick<WorkspaceView, 'audiences' | 'connections' | 'scheduled'>): string {
  const audiences = count(w.audiences, 'audience', 'audiences');
  const scheduled = w.audiences > 0 ? ` (${fmtInt(w.scheduled)} on a schedule)` : '';
  return `${audiences}${scheduled}, ${count(w.connections, 'connection', 'connections')}`;
}

/** The delete confirmation's words: the name, everything that goes with it, and what stays at TikTok. */
export function deleteWorkspaceText(w: Pick<WorkspaceView, 'name' | 'audiences' | 'connections' | 'scheduled'>): string {
  return (
    `Deleting the workspace “${w.name}” removes from this computer its audiences (${fmtInt(w.audiences)}) and their schedules ` +
    `(${fmtInt(w.scheduled)} scheduled), its connections (${fmtInt(w.connections)}; signed out at TikTok, tokens forgotten), ` +
    `its settings and its sync log. Audiences already at TikTok stay in TikTok Ads Manager. This cannot be undone.`
  );
}

/** Why a typed name cannot be used, or null. Names are unique regardless of case; the engine checks again. */
export function workspaceNameProblem(name: string, all: WorkspaceView[], exceptId?: string): string | null {
  const t = name.trim();
  if (!t) return null;
  if (t.length > WORKSPACE_NAME_MAX) return `Use at most ${WORKSPACE_NAME_MAX} characters.`;
  const same = all.find((w) => w.id !== exceptId && w.name.trim().toLowerCase() === t.toLowerCase());
  return same ? `A workspace is already called “${same.name}”. Choose another name.` : null;
}

function DeleteWorkspaceDialog({ w, onClose, onDeleted }: { w: WorkspaceView; onClose: () => void; onDeleted: () => void }) {
  const { del, busy, error, clearError } = useApp(useShallow((s) => ({ del: s.deleteWorkspace, busy: s.workspaceBusy, error: s.workspaceError, clearError: s.clearWorkspaceError })));
  const [typed, setTyped] = useState('');
  const inputId = useId();
  const matches = typed.trim() === w.name.trim();
  const deleting = busy === `delete:${w.id}`;
  const cancel = () => {
    clearError();
    onClose();
  };
  return (
    <Modal title={`Delete the workspace “${w.name}”?`} onCancel={cancel}>
      <p>{deleteWorkspaceText(w)}</p>
      <div className="field">
        <label htmlFor={inputId}>Type “{w.name}” to confirm</label>
        <input id={inputId} value={typed} autoComplete="off" spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
      </div>
      <ErrorBanner error={error} title="Not deleted" />
      <div className="actions modal-actions">
        <Button variant="ghost" onClick={cancel}>
          Cancel
        </Button>
        <Button variant="danger" disabled={!matches} busy={deleting} busyLabel="Deleting…" onClick={() => void del(w.id, typed.trim()).then((ok) => ok && onDeleted())}>
          Delete “{w.name}”
        </Button>
      </div>
    </Modal>
  );
}

function RenameForm({ w, all, onDone }: { w: WorkspaceView; all: WorkspaceView[]; onDone: () => void }) {
  const { rename, busy } = useApp(useShallow((s) => ({ rename: s.renameWorkspace, busy: s.workspaceBusy })));
  const [name, setName] = useState(w.name);
  const inputId = useId();
  const problem = workspaceNameProblem(name, all, w.id);
  const can = name.trim() !== '' && problem === null && name.trim() !== w.name;
  const save = () => {
    if (can) void rename(w.id, name.trim()).then((ok) => ok && onDone());
  };
  return (
    <div className="field">
      <label htmlFor={inputId}>New name for “{w.name}”</label>
      <span className="inline">
        <input
          id={inputId}
          value={name}
          maxLength={WORKSPACE_NAME_MAX + 10}
          autoFocus
          aria-invalid={problem !== null}
          aria-describedby={problem ? `${inputId}-problem` : undefined}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') save();
            if (e.key === 'Escape') onDone();
          }}
        />
        <Button size="small" variant="primary" disabled={!can} busy={busy === `rename:${w.id}`} busyLabel="Saving…" onClick={save}>
          Save name
        </Button>
        <Button size="small" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </span>
      {problem && (
        <span id={`${inputId}-problem`} className="small error-text">
          {problem}
        </span>
      )}
    </div>
  );
}

function CreateForm({ all }: { all: WorkspaceView[] }) {
  const { create, busy } = useApp(useShallow((s) => ({ create: s.createWorkspace, busy: s.workspaceBusy })));
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const problem = workspaceNameProblem(name, all);
  const can = name.trim() !== '' && problem === null && busy === null;
  const submit = () => {
    if (!can) return;
    void create(name.trim()).then((w) => {
      if (!w) return;
      setName('');
      setCreated(w.name);
    });
  };
  return (
    <div className="field">
      <label htmlFor="workspace-new-name">New workspace</label>
      <span className="inline">
        <input
          id="workspace-new-name"
          value={name}
          placeholder="e.g. the client's name"
          maxLength={WORKSPACE_NAME_MAX + 10}
          aria-invalid={problem !== null}
          aria-describedby="workspace-new-help"
          onChange={(e) => {
            setName(e.target.value);
            setCreated(null);
          }}
          onKeyDown={(e) => e.key === 'Enter' && submit()}
        />
        <Button size="small" disabled={!can} busy={busy === 'create'} busyLabel="Creating…" onClick={submit}>
          Create workspace
        </Button>
      </span>
      <span id="workspace-new-help" className={`small ${problem ? 'error-text' : 'muted'}`}>
        {problem ?? 'A new workspace starts empty: its own connections, audiences, schedules, settings and sync log.'}
      </span>
      {created && (
        <span className="small" role="status">
          Created “{created}”. Switch to it to connect and add audiences.
        </span>
      )}
    </div>
  );
}

export function WorkspacesSettings() {
  const { workspaces, busy, error, load, switchTo, clearError } = useApp(
    useShallow((s) => ({ workspaces: s.workspaces, busy: s.workspaceBusy, error: s.workspaceError, load: s.loadWorkspaces, switchTo: s.switchWorkspace, clearError: s.clearWorkspaceError })),
  );
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<WorkspaceView | null>(null);
  const [deleted, setDeleted] = useState<string | null>(null);
  /** Where the keyboard focus goes once a rename form or the delete dialog is gone (their button may be gone too). */
  const [focusNext, setFocusNext] = useState<string | null>(null);
  const box = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (!focusNext) return;
    box.current?.querySelector<HTMLElement>(`[data-focus="${focusNext}"]`)?.focus();
    setFocusNext(null);
  }, [focusNext]);
  useEffect(() => {
    void load();
  }, [load]);
  const view = workspaces.data;
  return (
    <fieldset ref={box} className="fieldset workspaces-settings">
      <legend>Workspaces</legend>
      <p className="muted small">
        Each workspace has its own connections, audiences, schedules, settings and sync log; nothing of one is visible or usable from another. Scheduled syncs of every
        workspace keep running.
      </p>
      <ErrorBanner error={workspaces.error} onRetry={() => void load()} title="Could not load the workspaces" />
      {!deleting && <ErrorBanner error={error} onDismiss={clearError} title="Workspaces" />}
      {deleted && (
        <p className="small" role="status" tabIndex={-1} data-focus="deleted">
          Deleted the workspace “{deleted}”.
        </p>
      )}
      {!view ? (
        !workspaces.error && <Loading label="Loading workspaces…" />
      ) : (
        <>
          <ul className="workspace-rows" aria-label="Workspaces">
            {view.workspaces.map((w) => (
              <li key={w.id} className="workspace-row" aria-current={w.active ? 'true' : undefined}>
                {renaming === w.id ? (
                  <RenameForm
                    w={w}
                    all={view.workspaces}
                    onDone={() => {
                      setRenaming(null);
                      setFocusNext(`rename:${w.id}`);
                    }}
                  />
                ) : (
                  <>
                    <div className="workspace-row-text">
                      <strong>{w.name}</strong> {w.active && <span className="badge badge-info">Current</span>}
                      <div className="muted small">{workspaceSummary(w)}</div>
                    </div>
                    <div className="actions actions-tight">
                      {!w.active && (
                        <Button size="small" aria-label={`Switch to ${w.name}`} disabled={busy !== null} busy={busy === `switch:${w.id}`} busyLabel="Switching…" onClick={() => void switchTo(w.id)}>
                          Switch to
                        </Button>
                      )}
                      <Button size="small" variant="ghost" aria-label={`Rename ${w.name}`} data-focus={`rename:${w.id}`} disabled={busy !== null} onClick={() => setRenaming(w.id)}>
                        Rename
                      </Button>
                      {!w.active && w.id !== DEFAULT_WORKSPACE_ID && (
                        <Button size="small" variant="danger" aria-label={`Delete ${w.name}…`} disabled={busy !== null} onClick={() => setDeleting(w)}>
                          Delete…
                        </Button>
                      )}
                    </div>
                  </>
                )}
              </li>
            ))}
          </ul>
          <p className="muted small">
            The workspace you are in cannot be deleted: switch to another one first. The one Cohort Relay started with keeps its data in the app's own folder: it can be
            renamed, not deleted.
          </p>
          <CreateForm all={view.workspaces} />
        </>
      )}
      {deleting && (
        <DeleteWorkspaceDialog
          w={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleted(deleting.name);
            setDeleting(null);
            setFocusNext('deleted');
          }}
        />
      )}
    </fieldset>
  );
}
