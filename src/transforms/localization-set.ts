// Step 0 of the reference from the eight npz files (the arrays work is in localization-arrays.ts).

import { localizationFromSets, type LocalizationSet } from './localization-arrays.js';
import { readReferenceSets } from './reference-sets.js';

/** Step 0 from the eight `dataset{1,2}_{origin,horizon,vertical,vh}.npz` files in `dir`. */
export async function buildLocalizationSet(dir: string): Promise<LocalizationSet> {
  return localizationFromSets(await readReferenceSets(dir));
}
