// Copies the README's screenshots from the e2e run's photographs (.reports/screenshots/, written by
// `npm run build && npx playwright test`) into build/screenshots/, which the README links. Run it after the e2e
// specs when a screen the README shows has changed; commit the PNGs it copies (a few hundred KB in all).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const FROM = '.reports/screenshots';
const TO = 'build/screenshots';
/** README name ← e2e photograph. */
export const README_SHOTS = {
  'audiences.png': 'audiences-1280x800-light.png',
  'wizard-columns.png': 'wizard-2-columns-1280x800-light.png',
  'wizard-dry-run.png': 'wizard-6-dryrun-1280x800-light.png',
  'held-sync.png': '21-audience-held-light.png',
  'match-rate.png': 'feature-match-rate.png',
  'ad-groups.png': 'use-in-tiktok-ad-groups.png',
  'lookalike.png': 'feature-lookalike.png',
  'share.png': 'feature-share.png',
  'overlap.png': 'feature-overlap.png',
  'workspaces.png': 'workspace-switcher-1280x800-light.png',
};

mkdirSync(TO, { recursive: true });
const missing = [];
for (const [to, from] of Object.entries(README_SHOTS)) {
  const src = join(FROM, from);
  if (!existsSync(src)) missing.push(from);
  else copyFileSync(src, join(TO, to));
}
if (missing.length) {
  console.error(`Not photographed yet (run \`npm run build && npx playwright test\` first): ${missing.join(', ')}`);
  process.exit(1);
}
console.log(`Copied ${Object.keys(README_SHOTS).length} screenshots to ${TO}/.`);
