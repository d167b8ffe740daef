// The split file `prepare` writes and reads back (split.json, det_split.json), and the summary
// both prepare tasks return.
import { readFile } from 'node:fs/promises';

/** A split as prepare writes it: row indices in shuffled order; the first train_count train. */
export interface SplitFile {
  permutation: number[];
  train_count: number;
}

/** What a prepare run reports: rows, the split's sizes and the files it wrote. */
export interface PrepareResult {
  rows: number;
  train: number;
  val: number;
  files: string[];
}

/** Reads and checks a split.json: `permutation` (row indices in shuffled order) and `train_count`. */
export async function readSplitFile(path: string): Promise<SplitFile> {
  const { InputError, fileError } = await import('../io/index.js');
  const text = await readFile(path, 'utf8').catch((e: unknown) => Promise.reject(fileError(e, path)));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputError(`not valid JSON (${err instanceof Error ? err.message : String(err)})`, path);
  }
  const p = parsed as Partial<SplitFile> | null;
  if (!p || typeof p !== 'object' || !Array.isArray(p.permutation)) throw new InputError('missing "permutation" (an array of row indices)', path);
  if (typeof p.train_count !== 'number' || !Number.isInteger(p.train_count)) throw new InputError('missing "train_count" (an integer)', path);
  return { permutation: p.permutation, train_count: p.train_count };
}


/**
 * The split of `n` rows: the one `given` (read from `options.splitFile`, whose name a mismatch
 * names) or a fresh one shuffled by the seed with floor(n * ratio) training rows.
 */
export async function splitRows(
  n: number,
  given: SplitFile | undefined,
  options: { seed?: number | string; ratio?: number; splitFile?: string },
): Promise<import('../transforms/index.js').Split> {
  const t = await import('../transforms/index.js');
  try {
    return t.splitTrainVal(n, given ? { permutation: given.permutation, trainCount: given.train_count } : { seed: options.seed ?? 0, ratio: options.ratio ?? 0.7 });
  } catch (err) {
    if (given && err instanceof Error && err.name === 'InputError') {
      const { InputError } = await import('../io/index.js');
      throw new InputError(err.message, options.splitFile);
    }
    throw err;
  }
}
