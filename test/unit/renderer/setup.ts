/** Shared per-test wiring for renderer tests: a fresh store, a fake bridge, and an unmounted DOM after each test. */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { setBridge } from '../../../renderer/src/app/bridge';
import { resetApp } from '../../../renderer/src/app/store';
import { fakeBridge } from './fake-bridge';
import type { FakeBridge, FakeHandlers } from './fake-bridge';

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
