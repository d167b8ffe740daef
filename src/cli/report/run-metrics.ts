// A run directory's metrics.json (what start and train write), read with an error that says
// what is wrong with the directory.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';

/** The parsed metrics.json of a run (or train output) directory. */
export async function readRunMetrics(runDir: string): Promise<Record<string, unknown>> {
  const dir = resolve(runDir);
  const path = join(dir, 'metrics.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('no metrics.json: not a run directory (start or train writes one)', dir, { cause: err });
    throw err;
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`metrics.json is not a JSON object (${(err as Error).message.split('\n')[0]})`, path, { cause: err });
  }
}
