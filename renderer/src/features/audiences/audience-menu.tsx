/**
 * The audience's "…" menu (Undo last sync…, Pause / Resume, Open in Ads Manager, Delete…) and the two confirmations
 * it opens: nothing that changes TikTok or forgets an audience happens before the user has read what it does.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { selectSimulated } from '../../app/sandbox';
import { fmtDateTime, fmtInt } from '../../app/format';
import { toShape } from '../../app/remote';
import { Button } from '../../ui/button';
import { Modal } from '../../ui/modal';
import { ErrorBanner } from '../../ui/states';
import type { AppErrorShape } from '../../../../shared/errors';
import type { AudienceView, UndoPreviewView } from '../../../../shared/ipc/dto';

/** TikTok Ads Manager's audience page for the advertiser (a plain https link, opened in the browser). */
export function adsManagerUrl(a: AudienceView): string {
  return `https://ads.tiktok.com/i18n/audience/?aadvid=${encodeURIComponent(a.advertiserId)}`;
}

const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "1:40 PM" for a sync of today, else the date and time. */
export function syncTimeText(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  return d.toDateString() === now.toDateString() ? timeOnly.format(d) : fmtDateTime(iso);
}

const calls = (n: number) => `${fmtInt(n)} ${n === 1 ? 'call' : 'calls'}`;

/** "Undo the sync of 1:40 PM: re-add 49,484, remove 50,000, uses 2 calls, pauses the schedule". */
export function undoSummary(p: UndoPreviewView, now?: Date): string {
  // A sync cut short and finished by a later run is one change: undo takes back all of it.
  const sync = `the sync of ${syncTimeText(p.runStartedAt, now)}${p.runIds.length > 1 ? ` (all ${p.runIds.length} of its runs: it was cut short and finished later)` : ''}`;
  if (p.refused) {
    return `Undo ${sync} would be refused: re-adding ${fmtInt(p.adds)} and removing ${fmtInt(p.removes)} would leave the audience under TikTok's 1,000 floor, so nothing would be sent`;
  }
  const parts = [`re-add ${fmtInt(p.adds)}`, `remove ${fmtInt(p.removes)}`, `uses ${calls(p.calls)}`];
  if (p.pausesSchedule) parts.push('pauses the schedule');
  return `Undo ${sync}: ${parts.join(', ')}`;
}

/** The delete confirmation's words: what goes (its schedule only when it has one), and what stays (or is deleted) at TikTok. */
export function deleteText(name: string, atTiktok: boolean, scheduled = true): string {
  const here = `Delete “${name}” from Cohort Relay: ${scheduled ? 'its schedule, sync history' : 'its sync history'} and the local record of who is in it are removed.`;
  return atTiktok ? `${here} It is also deleted at TikTok: ad groups using it stop targeting it. This cannot be undone.` : `${here} The audience stays in TikTok Ads Manager.`;
}

type Item = { key: string; label: string; aria?: string; disabled?: boolean; danger?: boolean } & ({ onSelect: () => void } | { href: string });

/** A menu button (aria-haspopup) and its menu: arrow keys, Home / End move; Escape and Tab close it. */
function MenuButton({ label, items, size }: { label: string; items: Item[]; size: 'small' | 'normal' }) {
  const [open, setOpen] = useState(false);
  const [pos, setPos] = useState<{ top: number; left: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = useId();
  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) button.current?.focus();
  };
  useLayoutEffect(() => {
    if (!open || !button.current) return;
    const r = button.current.getBoundingClientRect();
    setPos({ top: r.bottom + 4, left: Math.max(8, r.right - 224) });
  }, [open]);
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, pos]);
  const onKey = (e: KeyboardEvent) => {
    const all = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = all.indexOf(document.activeElement as HTMLElement);
    const move = (i: number) => all[(i + all.length) % all.length]?.focus();
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        move(at + 1);
        break;
      case 'ArrowUp':
        e.preventDefault();
        move(at - 1);
        break;
      case 'Home':
        e.preventDefault();
        move(0);
        break;
      case 'End':
        e.preventDefault();
        move(all.length - 1);
        break;
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        close(true);
        break;
      case 'Tab':
        close(false);
        break;
    }
  };
  const choose = (it: Item) => {
    if (it.disabled) return;
    close(!('href' in it));
    if ('onSelect' in it) it.onSelect();
  };
  return (
    <>
      <button
        ref={button}
        type="button"
        className={size === 'small' ? 'btn btn-ghost btn-small menu-button' : 'btn btn-ghost menu-button'}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span aria-hidden="true">…</span>
      </button>
      {open &&
        createPortal(
          <div ref={menu} id={id} role="menu" aria-label={label} className="menu" style={pos ? { top: pos.top, left: pos.left } : { visibility: 'hidden' }} onKeyDown={onKey} onClick={(e) => e.stopPropagation()}>
            {items.map((it) =>
              'href' in it ? (
                <a key={it.key} role="menuitem" className="menu-item" href={it.href} target="_blank" rel="noopener noreferrer" tabIndex={-1} aria-label={it.aria ? `${it.aria} (opens in your browser)` : undefined} onClick={() => choose(it)}>
                  {it.label}
                </a>
              ) : (
                <button key={it.key} type="button" role="menuitem" className={it.danger ? 'menu-item menu-item-danger' : 'menu-item'} tabIndex={-1} aria-disabled={it.disabled || undefined} aria-label={it.aria} onClick={() => choose(it)}>
                  {it.label}
                </button>
              ),
            )}
          </div>,
          document.body,
        )}
    </>
  );
}


/** Asks before an undo, with the numbers from a dry run of it (nothing is sent to get them). */
export function UndoDialog({ a, onClose }: { a: AudienceView; onClose: () => void }) {
  const { previewUndo, act } = useApp(useShallow((s) => ({ previewUndo: s.previewUndo, act: s.audienceAction })));
  const [preview, setPreview] = useState<UndoPreviewView | null>(null);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const [sending, setSending] = useState(false);
  useEffect(() => {
    let live = true;
    previewUndo(a.id).then(
      (p) => live && setPreview(p),
      (err: unknown) => live && setError(toShape(err)),
    );
    return () => {
      live = false;
    };
  }, [a.id, previewUndo]);
  const confirm = async () => {
    setSending(true);
    const ok = await act(a.id, 'undo');
    setSending(false);
    if (ok) return onClose();
    // Refused (a sync started meanwhile, ...): the engine's words, here where the user is looking.
    setError(useApp.getState().audienceError?.error ?? null);
    useApp.getState().clearAudienceError();
  };
  return (
    <Modal
      title={`Undo the last sync of ${a.name}?`}
      onCancel={onClose}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={() => void confirm()} disabled={!preview || preview.refused} title={preview?.refused ? 'The undo would leave the audience under 1,000 people, so TikTok would not take it.' : undefined} busy={sending}>
            Undo the sync
          </Button>
        </>
      }
    >
      {error ? (
        <ErrorBanner error={error} title="This sync cannot be undone" />
      ) : !preview ? (
        <p className="muted" role="status">
          Working out what the undo would change (nothing is sent)…
        </p>
      ) : (
        <>
          <p className="undo-summary">{undoSummary(preview)}.</p>
          {!preview.fitsToday && (
            <p className="muted">
              {fmtInt(preview.quotaLeft)} of today's {fmtInt(preview.dailyBudget)} calls are left, so the rest waits{preview.deferredUntil ? ` until ${fmtDateTime(preview.deferredUntil)}` : ''}.
            </p>
          )}
          {preview.warning && <p className="muted">{preview.warning}</p>}
        </>
      )}
    </Modal>
  );
}

/** Asks before deleting, saying what is removed here and what happens at TikTok. */
export function DeleteDialog({ a, onClose, onDeleted }: { a: AudienceView; onClose: () => void; onDeleted?: () => void }) {
  const { remove, busy } = useApp(useShallow((s) => ({ remove: s.deleteAudience, busy: s.audienceBusy[a.id] })));
  const [atTiktok, setAtTiktok] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const confirm = async () => {
    const ok = await remove(a.id, atTiktok);
    if (ok) {
      onClose();
      onDeleted?.();
    } else {
      setError(useApp.getState().audienceError?.error ?? null);
      useApp.getState().clearAudienceError();
    }
  };
  return (
    <Modal
      title={`Delete ${a.name}?`}
      onCancel={onClose}
      actions={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" onClick={() => void confirm()} busy={busy === 'delete'} disabled={a.running}>
            {atTiktok ? 'Delete here and at TikTok' : 'Delete from Cohort Relay'}
          </Button>
        </>
      }
    >
      <p className="delete-text">{deleteText(a.name, atTiktok, a.cadence.kind !== 'manual')}</p>
      {a.tiktokAudienceId && (
        <label className="check">
          <input type="checkbox" checked={atTiktok} onChange={(e) => setAtTiktok(e.target.checked)} /> Also delete at TikTok
        </label>
      )}
      {a.running && <p role="alert">{`"${a.name}" is syncing right now, so it cannot be deleted. Cancel the sync (or wait for it to finish), then delete the audience.`}</p>}
      <ErrorBanner error={error} title="Could not delete the audience" />
    </Modal>
  );
}

/** The "…" menu of one audience, and the confirmation it opened. */
export function AudienceMenu({ a, compact, pause = true, onDeleted }: { a: AudienceView; compact: boolean; pause?: boolean; onDeleted?: () => void }) {
  const { busy, act } = useApp(useShallow((s) => ({ busy: s.audienceBusy[a.id], act: s.audienceAction })));
  const [dialog, setDialog] = useState<'undo' | 'delete' | null>(null);
  const simulated = useApp(selectSimulated(a));
  const blocked = busy !== undefined;
  const items: Item[] = [
    { key: 'undo', label: 'Undo last sync…', aria: `Undo the last sync of ${a.name}…`, disabled: blocked || a.running || a.lastSync === null, onSelect: () => setDialog('undo') },
  ];
  if (pause) items.push({ key: 'pause', label: a.paused ? 'Resume schedule' : 'Pause schedule', aria: `${a.paused ? 'Resume' : 'Pause'} scheduled syncs of ${a.name}`, disabled: blocked, onSelect: () => void act(a.id, a.paused ? 'resume' : 'pause') });
  // A simulated audience exists only in the offline sandbox: Ads Manager has no page for it.
  if (a.tiktokAudienceId && !simulated) items.push({ key: 'ads', label: 'Open in Ads Manager ↗', aria: `Open ${a.name} in TikTok Ads Manager`, href: adsManagerUrl(a) });
  items.push({ key: 'delete', label: 'Delete…', aria: `Delete ${a.name}…`, danger: true, disabled: blocked, onSelect: () => setDialog('delete') });
  return (
    <>
      <MenuButton label={`More actions for ${a.name}`} items={items} size={compact ? 'small' : 'normal'} />
      {dialog === 'undo' && <UndoDialog a={a} onClose={() => setDialog(null)} />}
      {dialog === 'delete' && <DeleteDialog a={a} onClose={() => setDialog(null)} onDeleted={onDeleted} />}
    </>
  );
}
