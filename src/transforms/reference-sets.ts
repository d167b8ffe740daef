// The eight reference npz sets read from a directory, each checked for what step 0 needs; shared
// by the localization set (one person per frame) and the detection set (every frame).

import { joinLocation } from '../storage/url.js';
import { readNpz } from '../io/npz.js';
import type { NdArrayLike } from './nd-array.js';
import { checkReferenceSet } from './localization-arrays.js';
import { REFERENCE_ORDER, referenceFileName } from './reference-schema.js';

/**
 * Reads `dataset{1,2}_{origin,horizon,vertical,vh}.npz` from `dir` (a directory or an `s3://`
 * prefix), keyed by set name in REFERENCE_ORDER. A set without `images`, `numbers` or
 * `coordinates` of the reference shapes is an InputError naming its file.
 *
 * @example
 * const sets = await readReferenceSets('data');
 * console.log(sets.dataset1_origin!.images!.shape);
 */
export async function readReferenceSets(dir: string): Promise<Record<string, Record<string, NdArrayLike>>> {
  const sets: Record<string, Record<string, NdArrayLike>> = {};
  for (const name of REFERENCE_ORDER) {
    const file = joinLocation(dir, referenceFileName(name));
    const arrays = (await readNpz(file)) as Record<string, NdArrayLike>;
    checkReferenceSet(arrays, file);
    sets[name] = arrays;
  }
  return sets;
}
