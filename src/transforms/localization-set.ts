// Step 0 of the reference from the eight npz files (the arrays work is in localization-arrays.ts).

import { localizationFromSets, type LocalizationSet } from './localization-arrays.js';
import { readReferenceSets } from './reference-sets.js';

/**
 * Step 0 from the eight `dataset{1,2}_{origin,horizon,vertical,vh}.npz` files in `dir`.
 *
 * @example
 * const set = await buildLocalizationSet('data'); // the eight npz sets → one-person rows with boxes
 */
export async function buildLocalizationSet(dir: string): Promise<LocalizationSet> {
  return localizationFromSets(await readReferenceSets(dir));
}
