/**
 * Settings → "Erase a person" (issue #12.4): one identifier in, what erasing would do shown first (a preview has no
 * side effect), and done only when the user confirms exactly that. The identifier lives in this component's state
 * only (never the app store), and is cleared once the erasure is done.
 */
import { useId, useState } from 'react';
import { getBridge } from '../../app/bridge';
import { toShape } from '../../app/remote';
import { Button } from '../../ui/button';
import { ErrorBanner, Notice } from '../../ui/states';
import type { KeyType } from '../../../../shared/domain';
import type { AppErrorShape } from '../../../../shared/errors';
import type { ErasePreviewView, EraseResultView } from '../../../../shared/ipc/erase-dto';

const KINDS: { value: KeyType | 'auto'; label: string }[] = [
  { value: 'auto', label: 'Tell from the value' },
  { value: 'email', label: 'Email' },
  { value: 'phone', label: 'Phone' },
  { value: 'idfa', label: 'IDFA (Apple)' },
  { value: 'gaid', label: 'GAID (Android)' },
];

export function ErasePerson() {
  const id = useId();
  const [value, setValue] = useState('');
  const [kind, setKind] = useState<KeyType | 'auto'>('auto');
  const [preview, setPreview] = useState<ErasePreviewView | null>(null);
  const [result, setResult] = useState<EraseResultView | null>(null);
  const [busy, setBusy] = useState<'preview' | 'erase' | null>(null);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const identifiers = () => [{ key: kind === 'auto' ? null : kind, value }];
  // Any change to what was typed voids the preview: the confirmation is for exactly what was shown.
  const edit = (next: () => void) => {
    next();
    setPreview(null);
    setError(null);
  };

  async function findPerson() {
    setBusy('preview');
    setError(null);
    setResult(null);
    try {
      setPreview(await getBridge().privacy.erasePreview({ identifiers: identifiers() }));
    } catch (err) {
      setError(toShape(err));
    } finally {
      setBusy(null);
    }
  }

  async function erase() {
    setBusy('erase');
    setError(null);
    try {
      setResult(await getBridge().privacy.erase({ identifiers: identifiers() }));
      setPreview(null);
      setValue('');
    } catch (err) {
      setError(toShape(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <fieldset className="fieldset" aria-labelledby={`${id}-legend`}>
      <legend id={`${id}-legend`}>Erase a person</legend>
      <p className="muted small">
        For a right-to-erasure request: the person is removed from every audience kept here and at TikTok. What you type is hashed as a sync would
        and never stored.
      </p>
      <div className="field">
        <label htmlFor={`${id}-value`}>Email, phone, IDFA or GAID</label>
        <span className="inline">
          <input id={`${id}-value`} value={value} autoComplete="off" spellCheck={false} onChange={(e) => edit(() => setValue(e.target.value))} onKeyDown={(e) => e.key === 'Enter' && value.trim() && void findPerson()} />
          <select aria-label="Kind of identifier" value={kind} onChange={(e) => edit(() => setKind(e.target.value as KeyType | 'auto'))}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
          <Button size="small" disabled={!value.trim()} busy={busy === 'preview'} onClick={() => void findPerson()}>
            Find
          </Button>
        </span>
      </div>
      <ErrorBanner error={error} title="Nothing was erased" onDismiss={() => setError(null)} />
      {preview && (
        <div role="status" aria-label="What erasing would do">
          <p>{preview.message}</p>
          {preview.audiences.length > 0 && (
            <span className="inline">
              <Button variant="danger" busy={busy === 'erase'} busyLabel="Erasing…" onClick={() => void erase()}>
                Erase from {preview.audiences.length} {preview.audiences.length === 1 ? 'audience' : 'audiences'}
              </Button>
              <Button variant="ghost" disabled={busy !== null} onClick={() => setPreview(null)}>
                Cancel
              </Button>
            </span>
          )}
        </div>
      )}
      {result && <Notice tone={result.audiences.some((a) => a.outcome === 'failed') ? 'warn' : 'good'}>{result.message}</Notice>}
    </fieldset>
  );
}
