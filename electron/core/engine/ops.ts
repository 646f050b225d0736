/**
 * The operations every host calls (#13 §2 "one front door"): plain async functions over an opened engine (`App`),
 * used by the CLI in-process and by the engine's contract handlers (index.ts), so that no behaviour exists twice.
 * The hosting layer (run tracking, push events, background refresh) stays in index.ts for the long-lived hosts.
 */
export { withApp, requireAudience, quotaOf, audienceUnderOtherAccount, type App, type AudienceRecord, type ApiCallRecord, type Cadence, type HoldRecord, type KeyMapping, type RemovalMode, type RunRecord } from './ops/app';
export { audienceState, noSourceMessage, lostUploadKey, type StateContext } from './ops/audience-state';
export { audienceStatuses, rateText, type AudienceStatus, type MatchRates } from './ops/status';
export { planCohort, type PlanCohortRequest, type PlanCohortResult } from './ops/plan';
export { draftAudience, findOrCreateAudience, refuseTiktokNamesake, namesakeMessage, type AudienceSpec, type NewAudienceName } from './ops/create';
export { planAudience, syncAudience, eraseFromAudience, writeRejects, type RunSent, type SyncOutcome } from './ops/sync';
export { listRuns, runWithCalls } from './ops/runs';
export { removalHolds, setRemovalLimit, holdOf, confirmRemovals, keepAudience, confirmAndSync, type HoldInfo } from './ops/removals';
export { undoPreview, undoLastSync } from './ops/undo';
export { deleteAudience, deletePreview, type DeletePreview } from './ops/delete';
export { cadenceProblem, clearSchedule, listSchedules, localMinute, nextRunOf, pauseSchedule, setSchedule, type ScheduleEntry, type ScheduleList } from './schedule';
export { AudienceUse, type UseHooks } from './audience-use';
export { audienceOverlap, type OverlapHooks } from './overlap';
export { erasePerson, erasePreview, refuseWhileSyncing, type ErasureIdentifier } from './erase';
