/**
 * Audience detail → "Overlap with…" (#14 §2): pick another audience and see how many people are in both, counted
 * exactly from the hashes this computer keeps (nothing is sent), key by key for multi-key audiences. Asking TikTok
 * for its matched-user overlap is a separate, explicit choice that says first it is a read at TikTok.
 */
import { useEffect, useId, useState } from 'react';
import { getBridge } from '../../app/bridge';
import { useApp } from '../../app/store';
import { fmtInt, fmtPercent } from '../../app/format';
import { toShape } from '../../app/remote';
import { SLOT_LABELS } from '../../app/keys';
import { Button } from '../../ui/button';
import { ErrorBanner, Loading } from '../../ui/states';
import type { AppErrorShape } from '../../../../shared/errors';
import type { AudienceView } from '../../../../shared/ipc/dto';
import type { LocalOverlapView, OverlapView, TiktokOverlapView } from '../../../../shared/ipc/overlap-dto';

const pct = (n: number | null) => (n === null ? '—' : fmtPercent(n));

/** TikTok's count range as people read numbers: "1600-1700" → "1,600-1,700" ("1K-5K" stays). */
export const countRangeText = (range: string) => range.replace(/\d+/g, (n) => fmtInt(Number(n)));

/** "1,204 people are in both (12 % of Spring buyers, 30 % of Churned)", or key by key for multi-key audiences. */
function LocalResult({ v }: { v: LocalOverlapView }) {
  return (
    <div aria-live="polite">
      {v.both !== null ? (
        <p className="overlap-result">{`${fmtInt(v.both)} ${v.both === 1 ? 'person is' : 'people are'} in both (${pct(v.shareOfA)} of ${v.a.name}, ${pct(v.shareOfB)} of ${v.b.name}).`}</p>
      ) : (
        <ul className="overlap-keys">
          {v.byKey.map((k) => (
            <li key={k.key}>{`${SLOT_LABELS[k.key]}: ${fmtInt(k.both)} in both (${pct(k.a > 0 ? k.both / k.a : null)} of ${fmtInt(k.a)} in ${v.a.name}, ${pct(k.b > 0 ? k.both / k.b : null)} of ${fmtInt(k.b)} in ${v.b.name}).`}</li>
          ))}
        </ul>
      )}
      {v.onlyA !== null && v.onlyB !== null && <p className="muted small">{`Only in ${v.a.name}: ${fmtInt(v.onlyA)} · only in ${v.b.name}: ${fmtInt(v.onlyB)}.`}</p>}
      {v.note && <p className="muted small">{v.note}</p>}
      <p className="muted small">Counted on this computer from the last synced files; nothing was sent.</p>
    </div>
  );
}

function TiktokResult({ t, a, b }: { t: TiktokOverlapView; a: string; b: string }) {
  const rate = t.overlapRate !== null ? pct(t.overlapRate) : t.overlapRateRange;
  return (
    <div aria-live="polite">
      <p className="overlap-tiktok">
        {`TikTok: ${rate ?? 'no overlap rate given'} of the users TikTok matched in ${a}${t.aMatched !== null ? ` (${fmtInt(t.aMatched)})` : ''} are also in ${b}${t.bMatched !== null ? ` (${fmtInt(t.bMatched)} matched)` : ''}${t.overlapCountRange ? `, about ${countRangeText(t.overlapCountRange)} people` : ''}.`}
      </p>
    </div>
  );
}

export function OverlapPanel({ a }: { a: AudienceView }) {
  const id = useId();
  const audiences = useApp((st) => st.audiences);
  const loadAudiences = useApp((st) => st.loadAudiences);
  // Loads the list for the picker when no screen has yet; a failure stays shown with its Try again.
  const needList = !audiences.data && !audiences.loading && !audiences.error;
  useEffect(() => {
    if (needList) void loadAudiences();
  }, [needList, loadAudiences]);
  const others = (audiences.data ?? []).filter((x) => x.id !== a.id);
  const [other, setOther] = useState<number | null>(null);
  const [atTiktok, setAtTiktok] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<OverlapView | null>(null);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const otherName = others.find((x) => x.id === other)?.name ?? '';

  const compare = async () => {
    if (other === null) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await getBridge().audiences.overlap({ ids: [a.id, other], atTiktok }));
    } catch (err) {
      setError(toShape(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card overlap-panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Overlap with…</h2>
      <p className="muted small">How many people of this audience are also in another one, counted exactly from the hashes kept on this computer.</p>
      {audiences.loading && !audiences.data ? (
        <Loading label="Loading the audiences…" />
      ) : audiences.error && !audiences.data ? null : others.length === 0 ? (
        <p className="muted small">No other audience to compare with yet.</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-other`}>Compare with</label>
            <select
              id={`${id}-other`}
              value={other ?? ''}
              onChange={(e) => {
                setOther(e.target.value ? Number(e.target.value) : null);
                setResult(null);
                setError(null);
              }}
            >
              <option value="">Pick an audience</option>
              {others.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
          <label className="check">
            <input type="checkbox" checked={atTiktok} onChange={(e) => setAtTiktok(e.target.checked)} aria-describedby={`${id}-tt`} /> Ask TikTok for its matched-user overlap
          </label>
          <p id={`${id}-tt`} className="muted small">
            A read at TikTok: it sends the two audiences' TikTok ids (no people) and changes nothing there. TikTok compares only people it matched.
          </p>
          <div className="actions">
            <Button variant="primary" disabled={other === null} busy={busy} onClick={() => void compare()}>
              Compare
            </Button>
          </div>
        </>
      )}
      {audiences.error && !audiences.data && (
        // Inline, not an alert: the picker is secondary to the audience shown above.
        <div className="actions">
          <p className="warn small">{`Could not load the other audiences to compare with: ${audiences.error.message}`}</p>
          <Button size="small" onClick={() => void loadAudiences()}>
            Try again
          </Button>
        </div>
      )}
      <ErrorBanner error={error} title="Could not compare" />
      {result && (
        <>
          {result.local && <LocalResult v={result.local} />}
          {result.localProblem && <p className="warn small">{`Not counted here: ${result.localProblem}`}</p>}
          {result.tiktok && <TiktokResult t={result.tiktok} a={a.name} b={otherName} />}
        </>
      )}
    </section>
  );
}
