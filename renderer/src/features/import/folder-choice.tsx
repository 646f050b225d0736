/**
 * A file for an audience that reads a watched folder (#11 item 9) asks what it is for: replace the folder as the
 * source, or serve one sync while the folder stays the source. Shown where that audience is chosen, and recalled in
 * the dry run.
 */
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import type { App } from '../../app/store';
import type { AudienceView } from '../../../../shared/ipc/dto';

/** The saved audience the chosen existing TikTok audience is, when it reads a watched folder; else null. */
export function folderAudience(s: Pick<App, 'target' | 'existingTiktokId' | 'draftAudienceId' | 'audiences' | 'file'>): AudienceView | null {
  if (s.target !== 'existing' || s.existingTiktokId === null || s.draftAudienceId !== null || !s.file) return null;
  const a = s.audiences.data?.find((x) => x.tiktokAudienceId === s.existingTiktokId);
  return a && a.sourceKind === 'folder' ? a : null;
}

function folderText(a: AudienceView): string {
  return `the newest ${a.sourcePattern ?? '*.csv'} in ${a.sourcePath ?? 'its folder'}`;
}

export function FolderChoiceField() {
  const s = useApp(useShallow((st) => ({ audience: folderAudience(st), file: st.file?.name ?? '', choice: st.folderChoice, setChoice: st.setFolderChoice })));
  if (!s.audience) return null;
  return (
    <fieldset className="fieldset" aria-describedby="folder-choice-help">
      <legend>{`${s.audience.name} reads a watched folder`}</legend>
      <p id="folder-choice-help" className="muted small">
        It syncs {folderText(s.audience)}. What is {s.file} for?
      </p>
      <label className="check">
        <input type="radio" name="folder-choice" checked={s.choice === 'once'} onChange={() => s.setChoice('once')} />
        <span>
          Use this file once (the folder stays the source)
          <span className="choice-help">The next sync reads {s.file}; scheduled syncs go on reading the folder.</span>
        </span>
      </label>
      <label className="check">
        <input type="radio" name="folder-choice" checked={s.choice === 'replace'} onChange={() => s.setChoice('replace')} />
        <span>
          Replace the folder with this file
          <span className="choice-help">From then on every sync reads {s.file}; the folder is no longer watched.</span>
        </span>
      </label>
    </fieldset>
  );
}

/** The dry run's reminder that this file serves one sync and the folder stays the source. */
export function FolderOnceNote() {
  const s = useApp(useShallow((st) => ({ pending: st.pending, audiences: st.audiences.data, file: st.file?.name ?? '' })));
  if (s.pending?.kind !== 'update' || s.pending.sourceOnce === undefined) return null;
  const id = s.pending.audienceId;
  const a = s.audiences?.find((x) => x.id === id);
  return (
    <p className="banner banner-info" role="status">
      {`Uses ${s.file} for this sync only: ${a ? `${a.name} keeps reading ${folderText(a)}` : 'the audience keeps its folder'}, and its schedule stays as it is.`}
    </p>
  );
}
