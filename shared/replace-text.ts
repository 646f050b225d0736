/**
 * The words for a sync that replaces an audience's whole membership (its columns changed, or this computer lost its
 * record of calls it sent): the size before and after, one text for the CLI, the plan and the app's screens.
 */
import { countText as f } from './count-text';

/** "replaces all 1,454 people with 1,097: 357 fewer" (`dryRun`: "would replace ..."). */
export function replaceText(r: { before: number; after: number }, dryRun = false): string {
  const diff = r.after - r.before;
  const change = diff === 0 ? 'as many' : diff < 0 ? `${f(-diff)} fewer` : `${f(diff)} more`;
  return `${dryRun ? 'would replace' : 'replaces'} all ${f(r.before)} ${r.before === 1 ? 'person' : 'people'} with ${f(r.after)}: ${change}`;
}
