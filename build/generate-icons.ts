/**
 * Writes the packaging icons from the drawing in electron/main/icon.ts:
 *   build/icon.png  512×512 (electron-builder derives .icns, .ico and the Linux sizes from it)
 *   build/icon.svg  the same geometry as vector art
 * Run: npx tsx build/generate-icons.ts   (test/unit/main/icon.test.ts checks the files are current)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { iconPng, iconSvg } from '../electron/main/icon';

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'icon.png'), iconPng(512));
writeFileSync(join(here, 'icon.svg'), iconSvg());
console.log('wrote build/icon.png and build/icon.svg');
