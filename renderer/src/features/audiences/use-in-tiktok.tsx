/**
 * Audience detail → "Use in TikTok" (issue #14 §1): attach the audience to ad groups as Include or Exclude (a
 * suppression list) and see which ad groups use it, lookalikes, sharing with other ad accounts of the Business
 * Center, deleting it at TikTok, and the options TikTok takes only on create. Every change at TikTok opens a
 * confirmation that says what it will do (shared/audience-use-text.ts, the CLI's words too); nothing is sent before.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { getBridge } from '../../app/bridge';
import { useApp } from '../../app/store';
import { fmtDateTime, fmtInt } from '../../app/format';
import { toShape } from '../../app/remote';
import { Button } from '../../ui/button';
import { Modal } from '../../ui/modal';
import { ErrorBanner, Loading, Notice } from '../../ui/states';
import type { AppErrorShape } from '../../../../shared/errors';
import type { AudienceView } from '../../../../shared/ipc/dto';
import {
  LOOKALIKE_MIN_SEED,
  type AdGroupsView,
  type ApplyMode,
  type AudienceSubType,
  type CreateOptionsView,
  type LookalikeOs,
  type LookalikeSize,
  type LookalikeView,
  type ShareView,
} from '../../../../shared/ipc/audience-use-dto';
import { LOOKALIKE_LOCATIONS, describeApply, describeDeleteAtTiktok, describeLookalike, describeRefresh, describeShare, describeUnshare, locationName } from '../../../../shared/audience-use-text';

/** What waits for the user's yes: the words, the button, and the call. */
export interface Pending {
  title: string;
  text: string;
  action: string;
  danger?: boolean;
  run: () => Promise<unknown>;
}

/** A modal confirmation (ui/modal: focus goes in and stays in, Escape cancels unless it is sending, focus returns). */
export function ConfirmDialog({ p, onClose, onDone }: { p: Pending; onClose: () => void; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await p.run();
      onDone();
    } catch (err) {
      setError(toShape(err));
      setBusy(false);
    }
  };
  return (
    <Modal
      title={p.title}
      onCancel={() => !busy && onClose()}
      actions={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button variant={p.danger ? 'danger' : 'primary'} onClick={() => void confirm()} busy={busy}>
            {p.action}
          </Button>
        </>
      }
    >
      <p className="use-confirm-text">{p.text}</p>
      <ErrorBanner error={error} title="TikTok did not do it" />
    </Modal>
  );
}

/** Loads a value from the engine, again when `key` changes; `reload` asks again. */
function useEngine<T>(load: () => Promise<T>, key: number): { data: T | null; error: AppErrorShape | null; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | null; error: AppErrorShape | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loader.current().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (err: unknown) => live && setState({ data: null, error: toShape(err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/**
 * A section shown on demand: its body (and the TikTok reads it makes) mounts only once opened, so opening an
 * audience costs no call to TikTok.
 */
function Section({ title, children }: { title: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="use-section">
      <h3>
        <button type="button" className="btn btn-ghost" aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)}>
          {open ? '▾' : '▸'} {title}
        </button>
      </h3>
      {open && <div id={id}>{children}</div>}
    </div>
  );
}

function AdGroupsBody({ a, ask }: { a: AudienceView; ask: (p: Pending, after: () => void) => void }) {
  const groups = useEngine<AdGroupsView>(() => getBridge().use.adGroups({ id: a.id }), a.id);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const all = groups.data?.campaigns.flatMap((c) => c.adGroups) ?? [];
  const names = (ids: Set<string>) => all.filter((g) => ids.has(g.adgroupId)).map((g) => g.name);
  const toggle = (id: string) =>
    setPicked((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const act = (mode: ApplyMode) =>
    ask(
      {
        title: mode === 'Disconnect' ? `Detach ${a.name}?` : mode === 'Exclude' ? `Exclude ${a.name} from ad groups?` : `Target ${a.name} in ad groups?`,
        text: describeApply(a.name, mode, names(picked)),
        action: mode === 'Disconnect' ? 'Detach' : mode === 'Exclude' ? 'Exclude' : 'Include',
        run: () => getBridge().use.apply({ id: a.id, adgroupIds: [...picked], mode }),
      },
      () => {
        setPicked(new Set());
        groups.reload();
      },
    );
  const used = all.filter((g) => g.usage !== null);
  return (
    <>
      <p className="muted small">Exclude it to keep these people out of ads (for example customers who already bought), or include it to target them.</p>
      <ErrorBanner error={groups.error} onRetry={groups.reload} title="Could not read the ad groups" />
      {groups.loading && !groups.data && <Loading label="Reading campaigns and ad groups…" />}
      {groups.data && (
        <>
          <p className="small" aria-live="polite">
            {used.length === 0 ? 'No ad group uses this audience.' : `Used by ${used.map((g) => `${g.name} (${g.usage === 'Exclude' ? 'excluded' : 'included'})`).join(', ')}.`}
          </p>
          {groups.data.campaigns.map((c) => (
            <fieldset key={c.campaignId} className="fieldset">
              <legend>{c.name}</legend>
              {c.adGroups.map((g) => (
                <label key={g.adgroupId} className="check">
                  <input type="checkbox" checked={picked.has(g.adgroupId)} onChange={() => toggle(g.adgroupId)} /> {g.name}
                  {g.usage && <span className="muted small"> — {g.usage === 'Exclude' ? 'excludes' : 'includes'} this audience</span>}
                </label>
              ))}
              {c.adGroups.length === 0 && <p className="muted small">No ad groups.</p>}
            </fieldset>
          ))}
          <div className="actions">
            <Button variant="primary" disabled={picked.size === 0} onClick={() => act('Exclude')}>
              Exclude from selected…
            </Button>
            <Button disabled={picked.size === 0} onClick={() => act('Include')}>
              Include in selected…
            </Button>
            <Button disabled={picked.size === 0} onClick={() => act('Disconnect')}>
              Detach from selected…
            </Button>
          </div>
        </>
      )}
    </>
  );
}

const SIZES: { value: LookalikeSize; label: string }[] = [
  { value: 'NARROW', label: 'Narrow' },
  { value: 'BALANCED', label: 'Balanced' },
  { value: 'BROAD', label: 'Broad' },
];

function LookalikeBody({ a, ask }: { a: AudienceView; ask: (p: Pending, after: () => void) => void }) {
  const id = useId();
  const list = useEngine<LookalikeView[]>(() => getBridge().use.lookalikes({ id: a.id }), a.id);
  const [name, setName] = useState(`${a.name} lookalike`.slice(0, 128));
  const [size, setSize] = useState<LookalikeSize>('BALANCED');
  const [os, setOs] = useState<LookalikeOs>('ALL');
  const [locations, setLocations] = useState<string[]>(['6252001']);
  const [includeSource, setIncludeSource] = useState(false);
  const tooSmall = a.coverNum !== null && a.coverNum < LOOKALIKE_MIN_SEED;
  const create = () =>
    ask(
      {
        title: 'Create a lookalike?',
        text: describeLookalike(a.name, { name, audienceSize: size, mobileOs: os, locationIds: locations, includeSource }),
        action: 'Create lookalike',
        run: () => getBridge().use.createLookalike({ id: a.id, name, audienceSize: size, mobileOs: os, locationIds: locations, includeSource }),
      },
      list.reload,
    );
  return (
    <>
      <p className="muted small">TikTok finds people like this audience’s. Deleting this audience later stops its lookalikes’ refreshes.</p>
      <ErrorBanner error={list.error} onRetry={list.reload} title="Could not read the lookalikes" />
      {list.data && list.data.length > 0 && (
        <ul className="plain-list">
          {list.data.map((l) => (
            <li key={l.tiktokAudienceId}>
              <strong>{l.name}</strong> — {l.audienceSize.toLowerCase()}, {l.mobileOs === 'ALL' ? 'Android and iOS' : l.mobileOs === 'IOS' ? 'iOS' : 'Android'}, {l.locationIds.map(locationName).join(', ')}
              {l.coverNum !== null && ` · reach ${fmtInt(l.coverNum)}`}
              {l.refreshedAt && ` · refreshed ${fmtDateTime(l.refreshedAt)}`}
              {!l.existsAtTiktok && ' · no longer at TikTok'}{' '}
              <Button
                size="small"
                disabled={l.seedDeleted || !l.existsAtTiktok}
                title={l.seedDeleted ? 'The seed audience was deleted at TikTok: this lookalike can no longer be refreshed.' : undefined}
                aria-label={`Refresh ${l.name}…`}
                onClick={() => ask({ title: `Refresh ${l.name}?`, text: describeRefresh(l.name), action: 'Refresh', run: () => getBridge().use.refreshLookalike({ id: a.id, lookalikeId: l.tiktokAudienceId }) }, list.reload)}
              >
                Refresh…
              </Button>
              {l.seedDeleted && <p className="warn small">The seed was deleted at TikTok: this lookalike can no longer be refreshed.</p>}
            </li>
          ))}
        </ul>
      )}
      {tooSmall && <Notice tone="warn">{`TikTok has matched ${fmtInt(a.coverNum ?? 0)} people of this audience; a lookalike needs a seed of at least ${LOOKALIKE_MIN_SEED}. Add people to the cohort and sync.`}</Notice>}
      <div className="field">
        <label htmlFor={`${id}-name`}>Lookalike name</label>
        <input id={`${id}-name`} value={name} maxLength={128} onChange={(e) => setName(e.target.value)} />
      </div>
      <fieldset className="fieldset">
        <legend>Size</legend>
        {SIZES.map((s) => (
          <label key={s.value} className="check">
            <input type="radio" name={`${id}-size`} checked={size === s.value} onChange={() => setSize(s.value)} /> {s.label}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-os`}>Devices</label>
        <select id={`${id}-os`} value={os} onChange={(e) => setOs(e.target.value as LookalikeOs)}>
          <option value="ALL">Android and iOS</option>
          <option value="ANDROID">Android only</option>
          <option value="IOS">iOS only</option>
        </select>
      </div>
      <fieldset className="fieldset">
        <legend>Locations</legend>
        {LOOKALIKE_LOCATIONS.map((l) => (
          <label key={l.id} className="check">
            <input type="checkbox" checked={locations.includes(l.id)} onChange={(e) => setLocations((cur) => (e.target.checked ? [...cur, l.id] : cur.filter((x) => x !== l.id)))} /> {l.name}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={includeSource} onChange={(e) => setIncludeSource(e.target.checked)} /> Include this audience’s own people
      </label>
      <div className="actions">
        <Button variant="primary" disabled={tooSmall || !name.trim() || locations.length === 0} onClick={create}>
          Create lookalike…
        </Button>
      </div>
    </>
  );
}

type AdAccount = { advertiserId: string; name: string };

/** The ad accounts a share goes to: some of `others` ticked, plus ids typed by hand (digits only). */
export function useAccountPick(others: AdAccount[]) {
  const [picked, setPicked] = useState<string[]>([]);
  const [typed, setTyped] = useState('');
  const ids = [...new Set([...picked, ...typed.split(/[\s,]+/).filter(Boolean)])];
  return {
    others,
    picked,
    setPicked,
    typed,
    setTyped,
    ids,
    valid: ids.length > 0 && ids.every((x) => /^\d{1,20}$/.test(x)),
    name: (x: string) => others.find((o) => o.advertiserId === x)?.name ?? x,
    clear: () => {
      setPicked([]);
      setTyped('');
    },
  };
}

/** Ticks for the connection's other ad accounts, and a field for ids typed by hand (`typedLabel` when there are no others). */
export function AccountPicker({ pick, legend, typedLabel }: { pick: ReturnType<typeof useAccountPick>; legend: string; typedLabel: string }) {
  const id = useId();
  const { others, picked, setPicked, typed, setTyped, valid } = pick;
  return (
    <>
      {others.length > 0 && (
        <fieldset className="fieldset">
          <legend>{legend}</legend>
          {others.map((x) => (
            <label key={x.advertiserId} className="check">
              <input type="checkbox" checked={picked.includes(x.advertiserId)} onChange={(e) => setPicked((cur) => (e.target.checked ? [...cur, x.advertiserId] : cur.filter((v) => v !== x.advertiserId)))} /> {x.name}{' '}
              <span className="mono small">{x.advertiserId}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div className="field">
        <label htmlFor={`${id}-accounts`}>{others.length > 0 ? 'Other ad account ids of the Business Center (comma-separated)' : typedLabel}</label>
        <input id={`${id}-accounts`} value={typed} spellCheck={false} onChange={(e) => setTyped(e.target.value)} />
        {typed.trim() && !valid && <p className="warn small">Ad account ids are digits only.</p>}
      </div>
    </>
  );
}

function ShareBody({ a, ask }: { a: AudienceView; ask: (p: Pending, after: () => void) => void }) {
  const shares = useEngine<ShareView[]>(() => getBridge().use.shares({ id: a.id }), a.id);
  // The connection's other ad accounts are offered; any account of the Business Center can be typed.
  const connections = useApp((st) => st.connections.data);
  const pick = useAccountPick((connections ?? []).find((c) => c.id === a.connectionId)?.advertisers.filter((x) => x.advertiserId !== a.advertiserId) ?? []);
  return (
    <>
      <p className="muted small">Ad accounts of the same Business Center can use this audience without another upload.</p>
      <ErrorBanner error={shares.error} onRetry={shares.reload} title="Could not read who it is shared with" />
      {shares.data && (
        <ul className="plain-list">
          {shares.data.length === 0 && <li className="muted small">Not shared with any ad account.</li>}
          {shares.data.map((s) => (
            <li key={s.advertiserId}>
              {s.advertiserName ?? s.advertiserId} <span className="mono small">{s.advertiserId}</span>{' '}
              <Button size="small" aria-label={`Stop sharing with ${s.advertiserName ?? s.advertiserId}…`} onClick={() => ask({ title: 'Stop sharing?', text: describeUnshare(a.name, s.advertiserName ?? s.advertiserId), action: 'Stop sharing', run: () => getBridge().use.unshare({ id: a.id, advertiserId: s.advertiserId }) }, shares.reload)}>
                Stop sharing…
              </Button>
            </li>
          ))}
        </ul>
      )}
      <AccountPicker pick={pick} legend="Ad accounts of this connection" typedLabel="Ad account ids (comma-separated)" />
      <div className="actions">
        <Button disabled={!pick.valid} onClick={() => ask({ title: `Share ${a.name}?`, text: describeShare([a.name], pick.ids.map(pick.name)), action: 'Share', run: () => getBridge().use.share({ ids: [a.id], advertiserIds: pick.ids }) }, () => { pick.clear(); shares.reload(); })}>
          Share…
        </Button>
      </div>
    </>
  );
}

function OptionsBody({ a }: { a: AudienceView }) {
  const id = useId();
  const opts = useEngine<CreateOptionsView>(() => getBridge().use.createOptions({ id: a.id }), a.id);
  const [draft, setDraft] = useState<{ retention: string; enhancement: boolean; subType: AudienceSubType } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const o = opts.data;
  useEffect(() => {
    if (o) setDraft({ retention: o.retentionInDays === null ? '' : String(o.retentionInDays), enhancement: o.audienceEnhancement, subType: o.subType });
  }, [o]);
  const retention = draft?.retention.trim() ? Number(draft.retention) : null;
  const retentionOk = retention === null || (Number.isInteger(retention) && retention >= 1 && retention <= 365);
  const save = async () => {
    if (!draft) return;
    setError(null);
    try {
      await getBridge().use.setCreateOptions({ id: a.id, retentionInDays: retention, audienceEnhancement: draft.enhancement, subType: draft.subType });
      setSaved('Saved: the first sync sends these when it creates the audience at TikTok.');
      opts.reload();
    } catch (err) {
      setError(toShape(err));
    }
  };
  return (
    <>
      <ErrorBanner error={opts.error ?? error} onRetry={opts.error ? opts.reload : undefined} title="Creation options" />
      {o && draft && (
        <>
          <div className="field">
            <label htmlFor={`${id}-ret`}>Retention in days (1–365; empty: TikTok’s default, 12 months after last use)</label>
            <input id={`${id}-ret`} inputMode="numeric" value={draft.retention} disabled={!o.editable} onChange={(e) => setDraft({ ...draft, retention: e.target.value })} />
            {!retentionOk && <p className="warn small">Retention must be a whole number of days from 1 to 365.</p>}
          </div>
          <label className="check">
            <input type="checkbox" checked={draft.enhancement} disabled={!o.editable} onChange={(e) => setDraft({ ...draft, enhancement: e.target.checked })} /> Custom Audience Enhancement
          </label>
          <label className="check">
            <input type="checkbox" checked={draft.subType === 'REACH_FREQUENCY'} disabled={!o.editable} onChange={(e) => setDraft({ ...draft, subType: e.target.checked ? 'REACH_FREQUENCY' : 'NORMAL' })} /> For Reach &amp; Frequency ads
          </label>
          {o.editable ? (
            <div className="actions">
              <Button onClick={() => void save()} disabled={!retentionOk}>
                Save options
              </Button>
              {saved && (
                <span className="small" role="status">
                  {saved}
                </span>
              )}
            </div>
          ) : (
            <p className="muted small">
              {`Set when TikTok created the audience; they cannot change now.${o.atTiktok ? ` TikTok reports: enhancement ${o.atTiktok.audienceEnhancement === null ? 'not reported' : o.atTiktok.audienceEnhancement ? 'on' : 'off'}${o.atTiktok.enhancementStatus ? ` (${o.atTiktok.enhancementStatus})` : ''}, ${o.atTiktok.subType === 'REACH_FREQUENCY' ? 'Reach & Frequency' : 'normal'} audience.` : ''}`}
            </p>
          )}
        </>
      )}
    </>
  );
}

/** The panel on the audience detail. `onDeleted` runs after the audience was deleted at TikTok and here. */
export function UseInTiktok({ a, onDeleted }: { a: AudienceView; onDeleted?: () => void }) {
  const [pending, setPending] = useState<{ p: Pending; after: () => void } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const ask = (p: Pending, after: () => void) => {
    setDone(null);
    setPending({ p, after });
  };
  const partner = a.api === 'segment';
  const deleteAtTiktok = async () => {
    // The words name the ad groups it will leave and its lookalikes: both are read first (nothing changes).
    const [usage, lookalikes] = await Promise.all([getBridge().use.usage({ id: a.id }), getBridge().use.lookalikes({ id: a.id }).catch(() => [])]);
    ask({ title: `Delete ${a.name} at TikTok?`, text: describeDeleteAtTiktok([{ name: a.name, adGroups: usage.length, lookalikes: lookalikes.length }]), action: 'Detach and delete', danger: true, run: () => getBridge().use.deleteAtTiktok({ ids: [a.id] }) }, () => onDeleted?.());
  };
  const [deleteError, setDeleteError] = useState<AppErrorShape | null>(null);
  return (
    <section className="card use-in-tiktok" aria-labelledby="use-in-tiktok-title">
      <h2 id="use-in-tiktok-title">Use in TikTok</h2>
      {done && <Notice tone="good">{done}</Notice>}
      {!a.tiktokAudienceId ? (
        <>
          <p className="muted">The first sync creates this audience at TikTok; then it can be used in ad groups, seed lookalikes and be shared.</p>
          {!partner && (
            <Section title="Creation options">
              <OptionsBody a={a} />
            </Section>
          )}
        </>
      ) : (
        <>
          <Section title="Ad groups">
            <AdGroupsBody a={a} ask={ask} />
          </Section>
          <Section title="Lookalikes">
            <LookalikeBody a={a} ask={ask} />
          </Section>
          <Section title="Share with other ad accounts">
            <ShareBody a={a} ask={ask} />
          </Section>
          {!partner && (
            <Section title="Creation options">
              <OptionsBody a={a} />
            </Section>
          )}
          <div className="actions">
            <Button variant="danger" disabled={a.running} onClick={() => void deleteAtTiktok().catch((err: unknown) => setDeleteError(toShape(err)))}>
              Delete at TikTok…
            </Button>
          </div>
          <ErrorBanner error={deleteError} onDismiss={() => setDeleteError(null)} title="Could not prepare the deletion" />
        </>
      )}
      {pending && (
        <ConfirmDialog
          p={pending.p}
          onClose={() => setPending(null)}
          onDone={() => {
            const after = pending.after;
            setDone(`Done. ${pending.p.text.split('. ')[0]}.`);
            setPending(null);
            after();
          }}
        />
      )}
    </section>
  );
}
