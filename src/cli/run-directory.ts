// A run directory built out of sight: runs/.<name>.partial-<pid> while the run works, renamed to
// runs/<name> when it succeeded, removed when it failed or was interrupted. Both studies of
// `recordflow start` (localization and detection) build their runs this way.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../io/make-dirs.js';
import { removeOnInterrupt } from './staging.js';

/** Runs `fn` in a fresh hidden directory under `runs` and moves it to `runs/name` once `fn` succeeded. */
export async function inRunDirectory<T>(runs: string, name: string, fn: (dir: string, final: string) => Promise<T>): Promise<T> {
  const final = join(runs, name);
  const partial = join(runs, `.${name}.partial-${process.pid}`);
  await makeDirs(runs); // (the user's path is the one a failure names)
  await makeDirs(partial);
  // Interrupted (Ctrl-C): the partial run is removed before the process exits.
  const unregister = removeOnInterrupt(partial);
  try {
    const result = await fn(partial, final);
    await rename(partial, final);
    return result;
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  } finally {
    unregister();
  }
}
