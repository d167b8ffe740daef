// Step 0 of the reference from the eight npz files (the arrays work is in localization-arrays.ts).

import { join } from 'node:path';
import { readNpz } from '../io/npz.js';
import type { NdArrayLike } from './nd-array.js';
import { checkReferenceSet, localizationFromSets, type LocalizationSet } from './localization-arrays.js';
import { REFERENCE_ORDER, referenceFileName } from './reference-schema.js';

/** Step 0 from the eight `dataset{1,2}_{origin,horizon,vertical,vh}.npz` files in `dir`. */
export async function buildLocalizationSet(dir: string): Promise<LocalizationSet> {
  const sets: Record<string, Record<string, NdArrayLike>> = {};
  for (const name of REFERENCE_ORDER) {
    const file = join(dir, referenceFileName(name));
    const arrays = (await readNpz(file)) as Record<string, NdArrayLike>;
    checkReferenceSet(arrays, file);
    sets[name] = arrays;
  }
  return localizationFromSets(sets);
}
