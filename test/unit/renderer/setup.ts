/** Shared per-test wiring for renderer tests: a fresh store, a fake bridge, and an unmounted DOM after each test. */
import { cleanup, configure, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, expect } from 'vitest';
import { setBridge } from '../../../renderer/src/app/bridge';
import { resetApp } from '../../../renderer/src/app/store';
import { fakeBridge } from './fake-bridge';
import type { FakeBridge, FakeHandlers } from './fake-bridge';

// findBy*/waitFor wait up to 5 s, not 1 s: CI runs these beside other suites on 2 loaded cores, and an
// answer of the fake engine goes through the store and a React render before it shows.
configure({ asyncUtilTimeout: 5_000 });

export function useFakeEngine(handlers: FakeHandlers = {}): FakeBridge {
  const b = fakeBridge(handlers);
  setBridge(b);
  return b;
}

afterEach(() => {
  cleanup();
  resetApp();
  setBridge(null);
  document.documentElement.removeAttribute('data-theme');
});

/**
 * Clicks the button once it is enabled. Buttons that wait for the engine (a dry run's numbers, a file's preview)
 * are disabled until the answer is shown; a click before that does nothing in a real browser or in jsdom, so a
 * test that clicks as soon as the button exists races the fake engine on a loaded machine.
 */
export async function clickWhenEnabled(name: string | RegExp): Promise<void> {
  const button = await screen.findByRole('button', { name }, { timeout: 5_000 });
  await waitFor(() => expect((button as HTMLButtonElement).disabled).toBe(false), { timeout: 5_000 });
  fireEvent.click(button);
}
