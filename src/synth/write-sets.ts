// Writes the eight synthetic sets as npz files in the reference layout.

import { join } from 'node:path';
import { writeNpz } from '../io/npz.js';
import { REFERENCE_ORDER, referenceFileName } from '../transforms/reference-schema.js';
import { synthesizeThermal, type SynthOptions } from './synthesize.js';
import { makeDirs } from '../io/make-dirs.js';

/**
 * Generates and writes `dataset{1,2}_{origin,horizon,vertical,vh}.npz` into `dir`; returns the paths.
 *
 * @example
 * const paths = await writeSyntheticSets('data', { seed: 0 }); // the eight dataset*.npz files
 */
export async function writeSyntheticSets(dir: string, options: SynthOptions = {}): Promise<string[]> {
  const sets = synthesizeThermal(options);
  await makeDirs(dir);
  const paths: string[] = [];
  for (const name of REFERENCE_ORDER) {
    const path = join(dir, referenceFileName(name));
    await writeNpz(path, sets[name]);
    paths.push(path);
  }
  return paths;
}
