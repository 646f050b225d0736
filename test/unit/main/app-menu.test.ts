import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate } from '../../../electron/main/app-menu';

/** Every item of a template, submenus included. */
function allItems(items: MenuItemConstructorOptions[] | null): MenuItemConstructorOptions[] {
  if (!items) return [];
  return items.flatMap((i) => [i, ...allItems(Array.isArray(i.submenu) ? (i.submenu as MenuItemConstructorOptions[]) : null)]);
}
const devToolsItems = (items: MenuItemConstructorOptions[] | null) =>
  allItems(items).filter((i) => String(i.role ?? '').toLowerCase().includes('devtools') || /developer tools/i.test(i.label ?? '') || /devtools/i.test(String(i.accelerator ?? '')));

describe('appMenuTemplate', () => {
  it('has no developer-tools item in a packaged build, on any platform', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      expect(devToolsItems(appMenuTemplate({ platform, packaged: true, appName: 'Cohort Relay' }))).toEqual([]);
    }
  });

  it("gives a packaged macOS build its own menu (Electron's default has Toggle Developer Tools) with quit and the edit shortcuts", () => {
    const roles = allItems(appMenuTemplate({ platform: 'darwin', packaged: true, appName: 'Cohort Relay' })).map((i) => i.role);
    expect(roles).toEqual(expect.arrayContaining(['quit', 'copy', 'paste', 'selectAll', 'undo', 'close']));
  });

  it('shows no menu bar on Windows and Linux in a packaged build', () => {
    expect(appMenuTemplate({ platform: 'win32', packaged: true, appName: 'Cohort Relay' })).toBeNull();
    expect(appMenuTemplate({ platform: 'linux', packaged: true, appName: 'Cohort Relay' })).toBeNull();
  });

  it('offers the developer tools while developing', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      expect(devToolsItems(appMenuTemplate({ platform, packaged: false, appName: 'Cohort Relay' }))).toHaveLength(1);
    }
  });
});
