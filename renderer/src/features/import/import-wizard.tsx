/** The import / sync wizard. Each step shows what the engine answered; nothing is sent before "Sync now". */
import { useEffect, useId, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useApp } from '../../app/store';
import { IMPORT_STEPS, IMPORT_STEP_LABELS, matchingOnText } from './import-slice';
import type { ImportStep } from './import-slice';
import { FileStep } from './step-file';
import { ColumnsStep } from './step-columns';
import { HashLabStep } from './step-hash-lab';
import { ValidateStep } from './step-validate';
import { DestinationStep } from './step-destination';
import { DryRunStep } from './step-dry-run';
import { SyncStep } from './step-sync';

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

/**
 * The current step's heading ("Step 4, Validation"). It takes the focus when the step changes, so keyboard and
 * screen-reader users land on the new step instead of on a button that is gone; on opening the wizard the screen's
 * title has it (the shell moves it there).
 */
function StepHeading({ step }: { step: ImportStep }) {
  const ref = useRef<HTMLHeadingElement>(null);
  const shown = useRef<ImportStep | null>(null);
  useEffect(() => {
    if (shown.current !== null && shown.current !== step) ref.current?.focus();
    shown.current = step;
  }, [step]);
  const n = IMPORT_STEPS.indexOf(step) + 1;
  return (
    <h2 className="step-heading" ref={ref} tabIndex={-1} aria-label={`Step ${n}, ${IMPORT_STEP_LABELS[step]}`}>
      <span className="step-heading-num">Step {n}</span> {IMPORT_STEP_LABELS[step]}
    </h2>
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
        <StepHeading step={step} />
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
