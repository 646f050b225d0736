/**
 * The browser version: a file under a folder granted at start-up (--allow-folder) is named by its path, so it
 * can be synced on a schedule (a dropped or chosen file is an uploaded copy, for a one-off sync). The wizard opens
 * it; the mapping screen makes it the audience's new source (saved with "Save changes").
 */
import { useState } from 'react';
import { Button } from './button';

export function GrantedFileForm({ folders, onOpen, action = 'Open this file', id = 'granted-path' }: { folders: string[]; onOpen: (path: string) => void; action?: string; id?: string }) {
  const [path, setPath] = useState(folders.length === 1 ? `${folders[0]!.replace(/[\\/]+$/, '')}/` : '');
  const open = () => {
    if (path.trim()) onOpen(path.trim());
  };
  // Not a <form>: the mapping screen's own form holds it (forms do not nest); Enter in the field opens as a form would.
  return (
    <div className="field">
      <label htmlFor={id}>A file under {folders.length === 1 ? 'the folder' : 'a folder'} you allowed ({folders.join(', ')}), to sync on a schedule</label>
      <div className="actions">
        <input
          id={id}
          className="mono"
          type="text"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              open();
            }
          }}
          spellCheck={false}
        />
        <Button type="button" onClick={open}>
          {action}
        </Button>
      </div>
    </div>
  );
}
