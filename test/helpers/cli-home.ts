/**
 * A CLI data folder in a temp directory holding one saved audience ("Buyers", email, never synced), opened before each
 * test and removed after: for CLI tests of commands that work on a saved audience without TikTok.
 */
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Store } from '../../electron/core/store';
import { DEFAULT_PROFILE } from '../../shared/domain';
import { tmpDir } from './tmp';

export interface CliHome {
  dir: string;
  /** COHORT_RELAY_HOME (the data folder) and the keychain off. */
  env: NodeJS.ProcessEnv;
  /** The local id of the saved audience. */
  id: number;
}

/** Registers the before/after hooks; `use` receives each test's folder. */
export function cliHomeWithAudienceForEachTest(use: (home: CliHome) => void): void {
  let cleanup: () => void = () => {};
  beforeEach(() => {
    const t = tmpDir();
    cleanup = t.cleanup;
    const home = path.join(t.dir, 'home');
    const store = Store.open(home);
    const id = store.audiences.create({ connectionId: null, advertiserId: 'adv1', name: 'Buyers', keys: [{ key: 'email', column: 'email' }], calculateType: 'EMAIL_SHA256', sourcePath: '/tmp/x.csv', profile: DEFAULT_PROFILE }).id;
    store.close();
    use({ dir: t.dir, env: { COHORT_RELAY_HOME: home, COHORT_RELAY_KEYCHAIN: 'off' }, id });
  });
  afterEach(() => cleanup());
}
