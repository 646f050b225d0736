/**
 * Tests that need a real OS keychain. On Linux that is gnome-keyring inside a D-Bus session:
 *
 *   export XDG_DATA_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
 *   dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run <files>'
 *
 * Without one, keychain suites are skipped with the reason — unless COHORT_RELAY_REQUIRE_KEYCHAIN=1
 * (CI sets it), where a missing keychain is a failure, so CI can never go green by skipping.
 */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { openSecretStore } from '../../electron/core/secrets';

export interface KeychainProbe {
  available: boolean;
  reason: string | null;
}

/** A keychain service name of its own per test run, so tests never read or clobber real entries. */
export function testKeychainService(): string {
  return `Cohort Relay test ${randomUUID().slice(0, 8)}`;
}

/** Probes the real keychain with the production code path (a set/get/delete round trip). */
export async function probeKeychain(): Promise<KeychainProbe> {
  if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS) {
    return { available: false, reason: 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS is unset)' };
  }
  const opened = await openSecretStore({ env: {}, service: testKeychainService(), probeTimeoutMs: 5_000 });
  return opened.persistent ? { available: true, reason: null } : { available: false, reason: opened.reason };
}

export const KEYCHAIN_REQUIRED = process.env.COHORT_RELAY_REQUIRE_KEYCHAIN === '1';

/**
 * `describe` for a suite that needs the keychain: runs it when the probe succeeded; otherwise fails
 * (COHORT_RELAY_REQUIRE_KEYCHAIN=1) or skips with a message saying how to run it.
 */
export function describeWithKeychain(probe: KeychainProbe, name: string, fn: () => void): void {
  if (probe.available) {
    describe(name, fn);
    return;
  }
  const how = 'run inside dbus-run-session with gnome-keyring unlocked (see test/helpers/keyring.ts)';
  if (KEYCHAIN_REQUIRED) {
    describe(name, () => {
      it('has a working OS keychain (COHORT_RELAY_REQUIRE_KEYCHAIN=1)', () => {
        throw new Error(`No keychain: ${probe.reason}. ${how}.`);
      });
    });
    return;
  }
  process.stderr.write(`[keychain] skipping "${name}": ${probe.reason}; ${how}.\n`);
  describe.skip(`${name} (skipped: no keychain — ${how})`, fn);
}
