/**
 * What a host needs beside the engine's operations, through the engine's public entry (STYLE.md: a host enters
 * core only through engine/): the data folder, file grants (the renderer gets capabilities, not paths), owned temp
 * folders, the system browser opener, the offline sandbox a host can run on its own, and for the short-lived CLI
 * the TikTok connections of a data folder and database recovery.
 *
 * The Electron main process and the web host import this module but never run engine work (#13 §1): what needs
 * the store, the keychain (better-sqlite3, keytar), the TikTok client or the sandbox's server is loaded only when
 * called, so those hosts never load it.
 */
import type { SimulatorHandle, SimulatorOptions } from '../sandbox';
import type { DatabaseHealth, RecoverResult } from '../store/recover';
import type { ConnectionsSession } from './connections-session';

export { resolveDataDir } from '../paths';
export { FileGrants, withFileGrants, type GrantOrigin, type ReportTarget, type ReportTargets } from '../file-grants';
export { makeOwnedTempDir, removeStaleTempDirs, WEB_UPLOAD_PREFIX } from '../temp-dirs';
export { systemBrowser } from '../system-browser';
export { DEFAULT_REDIRECT_URI } from '../../../shared/oauth-redirect';
export { DEFAULT_LOGIN_TIMEOUT_MS, formatDuration } from '../tiktok/oauth-loopback';
export { SANDBOX_ADVERTISERS } from '../sandbox/seed';
export type { ConnectResult, EnvTokenReport, HealthResult } from '../tiktok/connections';
export type { OpenedSecretStore } from '../secrets';
export type { DatabaseHealth, RecoverResult } from '../store/recover';
export type { ConnectionsSession, SimulatorHandle, SimulatorOptions };

/** Starts the offline sandbox (the TikTok simulator) on 127.0.0.1, as `cohort-relay sandbox` does. */
export async function startSandbox(opts: SimulatorOptions = {}): Promise<SimulatorHandle> {
  return (await import('../sandbox')).startSimulator(opts);
}

/** The TikTok connections of the data folder `dataDir` (see connections-session.ts); close it when done. */
export async function openConnections(dataDir: string, env: NodeJS.ProcessEnv): Promise<ConnectionsSession> {
  return (await import('./connections-session')).openConnections(dataDir, env);
}

/** Checks the database of `dataDir` without changing it: healthy or what is wrong, and the backups there are. */
export async function inspectDatabase(dataDir: string): Promise<DatabaseHealth> {
  return (await import('../store/recover')).inspectDatabase(dataDir);
}

/** Restores the newest backup (or `backup`), or starts empty with `fresh`; a healthy database is never touched. */
export async function recoverDatabase(dataDir: string, opts: { fresh?: boolean; backup?: string } = {}): Promise<RecoverResult> {
  return (await import('../store/recover')).recoverDatabase(dataDir, opts);
}
