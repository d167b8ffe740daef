// Finding the files `prepare` wrote in a data directory: loc_train.tfr / loc_val.tfr, or their
// shards (loc_train.tfr-00000-of-00004 ...), in shard order. Reading them is train/localization-data.ts.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertDir } from './files.js';

export async function splitFiles(dir: string, split: 'train' | 'val'): Promise<string[]> {
  await assertDir(dir);
  const names = await readdir(dir);
  const base = `loc_${split}.tfr`;
  if (names.includes(base)) return [join(dir, base)];
  const shards = names.filter((n) => new RegExp(`^loc_${split}\\.tfr-\\d{5}-of-\\d{5}$`).test(n)).sort();
  if (shards.length > 0) return shards.map((n) => join(dir, n));
  const { InputError } = await import('../io/index.js');
  throw new InputError(`no ${base} here (run \`recordflow prepare\` first)`, dir);
}
