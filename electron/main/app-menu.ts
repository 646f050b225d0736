/**
 * The application menu. Pure (no Electron import): index.ts hands the template to Menu.buildFromTemplate.
 *
 * A packaged build offers no developer tools anywhere: no "Toggle Developer Tools" item (whose accelerator
 * is the only way to open them) and devTools off in the window (window.ts). On Windows and Linux the app
 * has no menu bar at all; macOS always shows one, so it gets a short menu of its own instead of Electron's
 * default (which carries View ▸ Toggle Developer Tools).
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuInput {
  platform: NodeJS.Platform;
  /** app.isPackaged: false only while developing. */
  packaged: boolean;
  appName: string;
}

/** The menu template, or null for no menu bar. */
export function appMenuTemplate(input: AppMenuInput): MenuItemConstructorOptions[] | null {
  const develop: MenuItemConstructorOptions[] = input.packaged ? [] : [{ label: 'Develop', submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }] }];
  if (input.platform !== 'darwin') return develop.length > 0 ? develop : null;
  return [
    {
      label: input.appName,
      submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    },
    // Copy and paste shortcuts on macOS work only through menu items.
    {
      label: 'Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'close' }] },
    ...develop,
  ];
}
