/** The import / sync wizard. Each step shows what the engine answered; nothing is sent before "Sync now". */
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { IMPORT_STEPS, IMPORT_STEP_LABELS, matchingOnText } from './import-slice';
import type { ImportStep } from './import-slice';
import { FileStep, ColumnsStep, HashLabStep, ValidateStep } from './steps-file';
import { DestinationStep, DryRunStep, SyncStep } from './steps-sync';

function Stepper({ step }: { step: ImportStep }) {
  const { goToStep, locked } = useApp(useShallow((s) => ({ goToStep: s.goToStep, locked: s.step === 'sync' || s.step === 'dryrun' })));
  const current = IMPORT_STEPS.indexOf(step);
  return (
    <ol className="stepper" aria-label="Import steps">
      {IMPORT_STEPS.map((st, i) => {
        const state = i < current ? 'done' : i === current ? 'current' : 'todo';
        const canGo = i < current && !locked && st !== 'file';
        return (
          <li key={st} className={`step step-${state}`} aria-current={i === current ? 'step' : undefined}>
            {canGo ? (
              <button type="button" className="step-link" onClick={() => goToStep(st)}>
                <span className="step-num">{i + 1}</span> {IMPORT_STEP_LABELS[st]}
              </button>
            ) : (
              <span className="step-link">
                <span className="step-num">{i + 1}</span> {IMPORT_STEP_LABELS[st]}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** Which keys TikTok will match on, shown on every step after Columns so a changed key never goes unnoticed. */
function MatchingOn() {
  const text = useApp((s) => matchingOnText(s));
  if (!text) return null;
  return (
    <p className="muted" data-testid="matching-on">
      Matching on: {text}
    </p>
  );
}

export function ImportWizard() {
  const step = useApp((s) => s.step);
  const titleId = useId();
  return (
    <section className="screen" aria-labelledby={titleId}>
      <header className="screen-head">
        <h1 id={titleId} tabIndex={-1}>
          Import &amp; sync a cohort
        </h1>
      </header>
      <Stepper step={step} />
      <div className="wizard-body">
        {step !== 'file' && step !== 'columns' && <MatchingOn />}
        {step === 'file' && <FileStep />}
        {step === 'columns' && <ColumnsStep />}
        {step === 'hashlab' && <HashLabStep />}
        {step === 'validate' && <ValidateStep />}
        {step === 'destination' && <DestinationStep />}
        {step === 'dryrun' && <DryRunStep />}
        {step === 'sync' && <SyncStep />}
      </div>
    </section>
  );
}
