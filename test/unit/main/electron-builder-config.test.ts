import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// js-yaml and app-builder-lib come with electron-builder; they have no type declarations of their own here.
const require = createRequire(import.meta.url);
const { load } = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  directories: { buildResources: string };
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
}

const config = load(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string; productName: string; scripts: Record<string, string> };

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app and targets AppImage + deb, dmg and nsis with the icon from build/', () => {
    expect(config.appId).toBe('com.cohortrelay.app');
    expect(config.productName).toBe('Cohort Relay');
    expect(config.productName).toBe(pkg.productName);
    expect(config.directories.buildResources).toBe('build');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    for (const os of [config.linux, config.mac, config.win]) expect(os.icon).toBe('build/icon.png');
    expect(readFileSync('build/icon.png').readUInt32BE(16)).toBeGreaterThanOrEqual(512); // IHDR width
  });

  it('ships only the build output, with native modules unpacked and rebuilt for Electron', () => {
    expect(config.files).toEqual(['out/**', 'package.json']);
    expect(pkg.main.startsWith('out/')).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/better-sqlite3/**', '**/node_modules/keytar/**', '**/node_modules/@napi-rs/keyring*/**']));
    expect(config.npmRebuild).toBe(true);
  });

  it('flips the security fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      // The renderer comes from app://, so file:// needs (and gets) none of its extra privileges.
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('is packaged by `npm run dist` after a build', () => {
    expect(pkg.scripts.dist).toBe('npm run build && electron-builder');
  });
});
