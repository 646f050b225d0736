/** Settings: each change is saved at once and the engine's answer is shown. */
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { ErrorBanner, Loading } from '../../ui/states';
import { Button } from '../../ui/button';
import { ErasePerson } from './erase-person';
import { WorkspacesSettings } from '../workspaces/workspaces-settings';
import { EnvironmentConfirm } from '../connect/connect-screen';
import type { ApiEnvironment, Theme } from '../../../../shared/ipc/dto';
import { DAILY_BUDGET_TOO_HIGH, MAX_DAILY_CALL_BUDGET } from '../../../../shared/ipc/dto';

const ENVIRONMENTS: { value: ApiEnvironment; label: string; help: string }[] = [
  { value: 'production', label: 'TikTok (production)', help: 'Real audiences in your ad accounts.' },
  { value: 'tiktok-sandbox', label: "TikTok's sandbox", help: "TikTok's own test environment, for developer apps." },
  { value: 'offline-sandbox', label: 'Offline sandbox', help: 'A simulator on this computer: no account, no network.' },
];

const THEME_LABELS: Record<Theme, string> = { light: 'Light', dark: 'Dark', system: 'Same as the system' };

/** A number field that saves on blur or Enter, within bounds. */
function NumberSetting({ label, value, min, max, onSave, help, tooHigh }: { label: string; value: number; min: number; max: number; onSave(n: number): void; help: string; tooHigh?: string }) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const n = Number(text);
  const valid = Number.isInteger(n) && n >= min && n <= max;
  const commit = () => {
    if (valid && n !== value) onSave(n);
  };
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="number" inputMode="numeric" min={min} max={max} value={text} onChange={(e) => setText(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} aria-invalid={!valid} aria-describedby={`${id}-help`} />
      <span id={`${id}-help`} className={`small ${valid ? 'muted' : 'error-text'}`}>
        {valid ? help : tooHigh && Number.isInteger(n) && n > max ? tooHigh : `Use a whole number from ${min} to ${max}.`}
      </span>
    </div>
  );
}

export function SettingsScreen() {
  const s = useApp(useShallow((st) => ({ settings: st.settings, saving: st.settingsSaving, error: st.settingsError, loadSettings: st.loadSettings, save: st.saveSettings })));
  const { loadSettings } = s;
  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);
  const v = s.settings.data;
  const [country, setCountry] = useState<string | null>(null);
  // A chosen environment switches only after the Connections screen's confirmation (what changes, then switch or keep).
  const [envTarget, setEnvTarget] = useState<ApiEnvironment | null>(null);
  const countryText = country ?? v?.defaultCountry ?? '';
  const countryValid = countryText === '' || /^[A-Z]{2}$/.test(countryText);

  return (
    <section className="screen" aria-labelledby="settings-title">
      <header className="screen-head">
        <h1 id="settings-title" tabIndex={-1}>
          Settings
        </h1>
        {s.saving && <span className="muted" role="status">Saving…</span>}
      </header>
      <ErrorBanner error={s.error} title="Not saved" />
      <ErrorBanner error={s.settings.error} onRetry={() => void loadSettings()} title="Could not load settings" />
      {!v ? (
        !s.settings.error && <Loading label="Loading settings…" />
      ) : (
        <div className="settings-grid">
          <WorkspacesSettings />
          <fieldset className="fieldset">
            <legend>TikTok API environment</legend>
            {ENVIRONMENTS.map((e) => (
              <label key={e.value} className="check">
                <input type="radio" name="environment" checked={v.environment === e.value} onChange={() => setEnvTarget(e.value === v.environment ? null : e.value)} />
                <span>
                  {e.label} <span className="muted small">— {e.help}</span>
                </span>
              </label>
            ))}
            {envTarget && envTarget !== v.environment && <EnvironmentConfirm to={envTarget} onClose={() => setEnvTarget(null)} />}
          </fieldset>
          <fieldset className="fieldset">
            <legend>Cohorts</legend>
            <div className="field">
              <label htmlFor="settings-country">Default country for phones</label>
              <span className="inline">
                <input
                  id="settings-country"
                  value={countryText}
                  onChange={(e) => setCountry(e.target.value.toUpperCase().slice(0, 2))}
                  placeholder="e.g. US"
                  size={4}
                  maxLength={2}
                  aria-invalid={!countryValid}
                  aria-describedby="settings-country-help"
                />
                <Button
                  size="small"
                  disabled={!countryValid || countryText === (v.defaultCountry ?? '')}
                  onClick={() => void s.save({ defaultCountry: countryText === '' ? null : countryText }).then((ok) => ok && setCountry(null))}
                >
                  Save
                </Button>
              </span>
              <span id="settings-country-help" className={`small ${countryValid ? 'muted' : 'error-text'}`}>
                {countryValid ? 'For phones written without +country code. Empty: reject them.' : 'Use a two-letter code such as US or GB.'}
              </span>
            </div>
          </fieldset>
          <fieldset className="fieldset">
            <legend>Quotas and rate limits</legend>
            <NumberSetting
              label="Daily call budget per audience"
              value={v.dailyCallBudget}
              min={1}
              max={MAX_DAILY_CALL_BUDGET}
              onSave={(n) => void s.save({ dailyCallBudget: n })}
              help={`TikTok allows ${MAX_DAILY_CALL_BUDGET} audience changes per audience per day; a lower budget keeps calls for Sync now.`}
              tooHigh={DAILY_BUDGET_TOO_HIGH}
            />
            <NumberSetting label="Requests per second" value={v.rateLimits.qps} min={1} max={50} onSave={(n) => void s.save({ rateLimits: { qps: n } })} help="Per developer app; TikTok's default is 10." />
            <NumberSetting label="Requests per minute" value={v.rateLimits.qpm} min={1} max={3000} onSave={(n) => void s.save({ rateLimits: { qpm: n } })} help="Per developer app; TikTok's default is 600." />
          </fieldset>
          <fieldset className="fieldset">
            <legend>App</legend>
            <label className="check">
              <input type="checkbox" checked={v.notifications} onChange={(e) => void s.save({ notifications: e.target.checked })} />
              Notify me when a background sync finishes or fails
            </label>
            <label className="check">
              <input type="checkbox" checked={v.launchAtLogin} onChange={(e) => void s.save({ launchAtLogin: e.target.checked })} />
              Launch at login (scheduled syncs run from the tray)
            </label>
            <label className="field field-inline">
              <span>Theme</span>
              <select value={v.theme} onChange={(e) => void s.save({ theme: e.target.value as Theme })}>
                {(Object.keys(THEME_LABELS) as Theme[]).map((t) => (
                  <option key={t} value={t}>
                    {THEME_LABELS[t]}
                  </option>
                ))}
              </select>
            </label>
            <div className="field">
              <span>Data folder</span>
              <p className="mono">{v.dataFolder}</p>
              <span className="muted small">Read-only here: start Cohort Relay with COHORT_RELAY_HOME set to use another folder.</span>
              <p className="muted small" aria-label="What is kept">
                What is kept: tokens only in your system keychain, until you disconnect. No raw email, phone or ad id is stored — per audience only
                SHA-256 hashes of who is in it, the hashes of its newest change (for undo, until the next change) and of changes TikTok has not confirmed
                yet (until a sync completes); deleting an audience deletes them all. A log of the calls made (TikTok ids and audience names) for 48 hours,
                and the 2 newest database backups. Rejects reports only when you ask, with masked values. Details: SECURITY.md.
              </p>
            </div>
            {v.grantedFolders && v.grantedFolders.length > 0 && (
              <div className="field">
                <span>Folders this page may read</span>
                <ul aria-label="Folders this page may read">
                  {v.grantedFolders.map((f) => (
                    <li key={f} className="mono">
                      {f}
                    </li>
                  ))}
                </ul>
                <span className="muted small">Granted when Cohort Relay started (--allow-folder). Files under them can be synced on a schedule; an uploaded file only once.</span>
              </div>
            )}
          </fieldset>
          <ErasePerson />
        </div>
      )}
    </section>
  );
}
