/**
 * The sidebar's workspace switcher: the current workspace's name, and (a disclosure, so Tab and Enter are all it
 * takes) the other workspaces to switch to and a way to manage them in Settings.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';

export function WorkspaceSwitcher() {
  const { view, epoch, busy, error, onSettings, switchTo, navigate } = useApp(
    useShallow((s) => ({
      view: s.workspaces.data,
      epoch: s.workspaceEpoch,
      busy: s.workspaceBusy,
      error: s.workspaceError,
      onSettings: s.route.name === 'settings',
      switchTo: s.switchWorkspace,
      navigate: s.navigate,
    })),
  );
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const current = view?.workspaces.find((w) => w.id === view.active) ?? null;
  // Another switch (the tray, another window) closes the list: what it offered has changed.
  useEffect(() => setOpen(false), [view?.active]);
  // An engine without workspaces (or not answered yet) shows no switcher.
  if (!view || !current) return null;

  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && open) {
      e.preventDefault();
      close();
    }
  };
  const switching = busy?.startsWith('switch:') ? busy.slice('switch:'.length) : null;
  return (
    <div className="workspace-switcher" onKeyDown={onKey}>
      <span className="workspace-caption" aria-hidden="true">
        Workspace
      </span>
      <button
        ref={toggle}
        type="button"
        className="workspace-current"
        aria-label={`Workspace: ${current.name}`}
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="workspace-name">{current.name}</span>
        <span className="workspace-chevron" aria-hidden="true">
          {open ? '▴' : '▾'}
        </span>
      </button>
      {open && (
        <ul id={listId} className="workspace-list" aria-label="Switch workspace">
          {view.workspaces.map((w) => (
            <li key={w.id}>
              <button
                type="button"
                className={`workspace-option ${w.active ? 'workspace-option-current' : ''}`}
                aria-current={w.active ? 'true' : undefined}
                aria-label={w.active ? `${w.name} (current workspace)` : `Switch to ${w.name}`}
                disabled={busy !== null}
                onClick={() => {
                  if (w.active) return close();
                  void switchTo(w.id);
                }}
              >
                {w.name}
                {switching === w.id && <span className="muted small"> — switching…</span>}
              </button>
            </li>
          ))}
          <li>
            <button
              type="button"
              className="workspace-option workspace-manage"
              onClick={() => {
                setOpen(false);
                navigate({ name: 'settings' });
              }}
            >
              Manage workspaces…
            </button>
          </li>
        </ul>
      )}
      {/* Focus goes to the new screen's heading after a switch; this says in which workspace it now is. */}
      <span className="visually-hidden" role="status">
        {epoch > 0 ? `Now working in the workspace ${current.name}.` : ''}
      </span>
      {/* Settings shows the same error beside its workspace list. */}
      {error && !onSettings && (
        <p className="small error-text" role="alert">
          {error.message}
        </p>
      )}
    </div>
  );
}
