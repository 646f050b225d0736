/**
 * Audiences list → the bar for the audiences ticked (#14 §1): share several with ad accounts of the Business Center
 * in one go, or delete several at TikTok (detached from their ad groups first; 100 per request). Each asks first in
 * the same words as the audience detail and the CLI (shared/audience-use-text.ts); nothing is sent before.
 */
import { useState } from 'react';
import { getBridge } from '../../app/bridge';
import { useApp } from '../../app/store';
import { toShape } from '../../app/remote';
import { Button } from '../../ui/button';
import { ErrorBanner, Notice } from '../../ui/states';
import type { AppErrorShape } from '../../../../shared/errors';
import type { AudienceView } from '../../../../shared/ipc/dto';
import { describeDeleteAtTiktok, describeShare } from '../../../../shared/audience-use-text';
import { AccountPicker, ConfirmDialog, useAccountPick, type Pending } from './use-in-tiktok';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** Ad account picking for a bulk share: the connections' other ad accounts, and ids typed by hand. */
function ShareForm({ selected, onAsk, onCancel }: { selected: AudienceView[]; onAsk: (ids: string[], names: string[]) => void; onCancel: () => void }) {
  const connections = useApp((st) => st.connections.data);
  const own = new Set(selected.map((a) => a.advertiserId));
  const conns = new Set(selected.map((a) => a.connectionId));
  const pick = useAccountPick((connections ?? []).filter((c) => conns.has(c.id)).flatMap((c) => c.advertisers.filter((x) => !own.has(x.advertiserId))));
  return (
    <div className="stack">
      <AccountPicker pick={pick} legend="Share with ad accounts" typedLabel="Ad account ids of the Business Center (comma-separated)" />
      <div className="actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button variant="primary" disabled={!pick.valid} onClick={() => onAsk(pick.ids, pick.ids.map(pick.name))}>
          {`Share ${plural(selected.length, 'audience')}…`}
        </Button>
      </div>
    </div>
  );
}

export function BulkActions({ selected, onSelectNone, onDone }: { selected: AudienceView[]; onSelectNone: () => void; onDone: () => void }) {
  const [sharing, setSharing] = useState(false);
  const [pending, setPending] = useState<{ p: Pending; done: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const [reading, setReading] = useState(false);
  const atTiktok = selected.filter((a) => a.tiktokAudienceId !== null);
  const notCreated = selected.length - atTiktok.length;
  const names = (xs: AudienceView[]) => xs.map((a) => a.name);

  const askShare = (advertiserIds: string[], accountNames: string[]) =>
    setPending({
      p: { title: `Share ${plural(atTiktok.length, 'audience')}?`, text: describeShare(names(atTiktok), accountNames), action: 'Share', run: () => getBridge().use.share({ ids: atTiktok.map((a) => a.id), advertiserIds }) },
      done: `Shared ${plural(atTiktok.length, 'audience')} with ${plural(advertiserIds.length, 'ad account')}.`,
    });

  const askDelete = async () => {
    setError(null);
    setDone(null);
    setReading(true);
    try {
      // The words name the ad groups each will leave and its lookalikes: both are read first (nothing changes).
      const facts = await Promise.all(
        atTiktok.map(async (a) => {
          const [usage, lookalikes] = await Promise.all([getBridge().use.usage({ id: a.id }), getBridge().use.lookalikes({ id: a.id }).catch(() => [])]);
          return { name: a.name, adGroups: usage.length, lookalikes: lookalikes.length };
        }),
      );
      setPending({
        p: { title: `Delete ${plural(atTiktok.length, 'audience')} at TikTok?`, text: describeDeleteAtTiktok(facts), action: 'Detach and delete', danger: true, run: () => getBridge().use.deleteAtTiktok({ ids: atTiktok.map((a) => a.id) }) },
        done: `Deleted ${plural(atTiktok.length, 'audience')} at TikTok and here.`,
      });
    } catch (err) {
      setError(toShape(err));
    } finally {
      setReading(false);
    }
  };

  // Nothing ticked and nothing to say: no empty box between "Select all" and the table.
  if (selected.length === 0 && !done && !error && !pending) return null;
  return (
    <div className="stack">
      {done && <Notice tone="good">{done}</Notice>}
      <ErrorBanner error={error} title="Could not read what deleting would change" onDismiss={() => setError(null)} />
      {selected.length > 0 && (
        <div className="card bulk-bar" role="region" aria-label="Selected audiences">
          <div className="actions">
            <strong>{`${selected.length} selected`}</strong>
            <Button
              onClick={() => {
                setDone(null);
                setSharing((x) => !x);
              }}
              disabled={atTiktok.length === 0}
              aria-expanded={sharing}
            >
              Share selected…
            </Button>
            <Button variant="danger" onClick={() => void askDelete()} disabled={atTiktok.length === 0} busy={reading}>
              Delete selected at TikTok…
            </Button>
            <Button variant="ghost" onClick={onSelectNone}>
              Clear selection
            </Button>
          </div>
          {notCreated > 0 && <p className="muted small">{`${plural(notCreated, 'selected audience')} not created at TikTok yet ${notCreated === 1 ? 'is' : 'are'} left out.`}</p>}
          {sharing && atTiktok.length > 0 && <ShareForm selected={atTiktok} onAsk={askShare} onCancel={() => setSharing(false)} />}
        </div>
      )}
      {pending && (
        <ConfirmDialog
          p={pending.p}
          onClose={() => setPending(null)}
          onDone={() => {
            setDone(pending.done);
            setPending(null);
            setSharing(false);
            onDone();
          }}
        />
      )}
    </div>
  );
}
