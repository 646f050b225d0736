/**
 * Who the audience's syncs may remove: only people Cohort Relay added (an audience adopted from TikTok starts so: its
 * other members were uploaded by hand or by another tool), or everyone not in the file ("mirror the file").
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { Button } from '../../ui/button';
import { countText } from '../../../../shared/count-text';
import type { AudienceView } from '../../../../shared/ipc/dto';

type Mode = NonNullable<AudienceView['removalMode']>;

/** Remount it (key) when the saved value changes, so it starts from what the engine holds. */
export function RemovalModeForm({ audience: a }: { audience: Pick<AudienceView, 'id' | 'removalMode' | 'othersSize' | 'tiktokAudienceId'> }) {
  const { saving, saveMapping } = useApp(useShallow((st) => ({ saving: st.mappingSaving, saveMapping: st.saveMapping })));
  const saved: Mode = a.removalMode ?? 'mirror';
  const [mode, setMode] = useState<Mode>(saved);
  const others = a.othersSize ?? null;
  const dirty = mode !== saved;
  return (
    <form
      className="card stack"
      aria-labelledby="removal-mode-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (dirty) void saveMapping(a.id, { removalMode: mode });
      }}
    >
      <h2 id="removal-mode-title">Who a sync may remove</h2>
      <label className="check">
        <input type="radio" name="removal-mode" value="added-only" checked={mode === 'added-only'} onChange={() => setMode('added-only')} />
        Only people Cohort Relay added
      </label>
      <p className="muted small">
        People uploaded by hand or by another tool stay in the audience; a person who leaves the file is removed only if
        Cohort Relay added them.
        {others !== null && ` TikTok matched ${countText(others)} people in it when it was adopted.`}
      </p>
      <label className="check">
        <input type="radio" name="removal-mode" value="mirror" checked={mode === 'mirror'} onChange={() => setMode('mirror')} />
        Mirror the file
      </label>
      <p className="muted small">The audience holds exactly the people in the file: anyone else in it is removed.</p>
      {dirty && mode === 'mirror' && others !== null && (
        <p className="warn" role="status">
          The next sync replaces this audience&apos;s whole membership with the file (one full replace): the people others uploaded leave it.
        </p>
      )}
      <div className="actions">
        <Button type="submit" variant="primary" busy={saving} busyLabel="Saving…" disabled={!dirty}>
          Save removal choice
        </Button>
      </div>
    </form>
  );
}
