/**
 * What the engine's parts share (engine.ts builds it): the app, the push events, the runs, the connections'
 * status, the environment and its sandbox. The handler groups (handlers/) and the hosting parts (run tracking,
 * status refresh, sign-in) each take the slice of it they use.
 */
import type { AudienceView } from '../../../shared/ipc/dto';
import type { EngineOptions } from '../../../shared/ipc/engine-host';
import type { EventHub } from '../../../shared/ipc/events';
import type { CohortRelayApp } from '../app';
import type { AudienceRecord } from '../store/audiences-repo';
import type { Scheduler } from '../sync/scheduler';
import type { AudienceUse, UseHooks } from './audience-use';
import type { ConnectionStatus } from './connection-status';
import type { EngineEnvironment } from './environment';
import type { FileJobs } from './imports';
import type { RunTracker } from './run-tracker';
import type { SignIn } from './sign-in';

export interface EngineContext {
  readonly app: CohortRelayApp;
  readonly hub: EventHub;
  readonly opts: EngineOptions;
  /** File jobs of the import screens (preview, validate, export rejects): one per file, cancellable. */
  readonly jobs: FileJobs;
  /** The engine's own scheduler (not app.scheduler): its runs go through the same tracking as "Sync now". */
  readonly scheduler: Scheduler;
  readonly runs: RunTracker;
  readonly connectionStatus: ConnectionStatus;
  readonly environment: EngineEnvironment;
  readonly signIn: SignIn;
  /** Putting audiences to work at TikTok: ad groups, lookalikes, shares, deletion (#14 §1). */
  readonly use: AudienceUse;
  /** What this engine wraps TikTok calls in (its sandbox started, the connection's state marked): the ops' hooks. */
  readonly hooks: UseHooks;
  /** True once shutdown has begun: nothing new starts. */
  readonly closed: boolean;
  now(): Date;
  /** True while a sync of the audience runs, tracked here or started by the scheduler. */
  isRunning(audienceId: number): boolean;
  /** The audience as the screens show it (the one audience-state function). */
  audience(a: AudienceRecord): AudienceView;
  /** Pushes audience:statusChanged (the screens re-read the audience). */
  changed(audienceId: number): void;
  /** Clears the source of audiences whose web-host upload copy is gone (source-checks.ts). */
  forgetVanishedUploads(): void;
}
