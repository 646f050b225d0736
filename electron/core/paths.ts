import os from 'node:os';
import path from 'node:path';

/** Electron's productName: the OS app-data folder the desktop app uses is `<appData>/<PRODUCT_NAME>`. */
export const PRODUCT_NAME = 'Cohort Relay';

/**
 * The data folder: COHORT_RELAY_HOME when set, else the OS app-data folder Electron's
 * `app.getPath('userData')` would give, so the CLI, the daemon and the desktop app share one store.
 */
export function resolveDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const explicit = env.COHORT_RELAY_HOME?.trim();
  if (explicit) return path.resolve(explicit);
  const home = os.homedir();
  switch (platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', PRODUCT_NAME);
    case 'win32':
      return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
    default:
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), PRODUCT_NAME);
  }
}
