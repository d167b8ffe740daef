// One run per --checkpoints directory. Two runs writing the same `last` and `best` would
// overwrite each other's epochs and leave a checkpoint of neither, so a run holds DIR/LOCK (its
// pid and host, as JSON) from start to end. The lock is made complete under a temporary name and
// hard-linked into place, which fails when a lock exists: no second run ever sees a half-written
// one. A lock whose process is gone (a kill -9, a crash of the machine) is stale and taken over;
// one from another host cannot be checked from here and is refused with its owner named.
//
// The lock goes at the end of the run, on a failure, and on Ctrl-C: a first interrupt ends the
// run normally (the caller's finally), a second one exits the process, which the exit hook
// covers. Two runs that find the same stale lock at the same moment can both take it over; that
// needs a dead owner and a start within milliseconds of each other.

import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

/** The lock file's name inside the checkpoint directory. */
export const LOCK_FILE = 'LOCK';

interface Owner {
  pid: number;
  host: string;
}

function readOwner(path: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    return Number.isSafeInteger(o.pid) && typeof o.host === 'string' ? { pid: o.pid!, host: o.host } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` exists on this machine (EPERM: it exists, run by someone else). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/**
 * Takes the lock of checkpoint directory `dir` (which exists) for this process, or throws an
 * InputError naming the run that holds it. Returns the release function (idempotent; it removes
 * the lock only while it is still this process's).
 */
export function lockCheckpoints(dir: string, log: (line: string) => void): () => void {
  const path = join(dir, LOCK_FILE);
  const me: Owner = { pid: process.pid, host: hostname() };
  const tmp = join(dir, `.${LOCK_FILE}.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(me) + '\n');
  try {
    for (let tries = 0; ; tries++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if (code(e) !== 'EEXIST' || tries >= 3) throw new InputError(`cannot lock the checkpoint directory (${code(e) ?? String(e)})`, path, { cause: e });
      }
      const owner = readOwner(path);
      if (owner === undefined) {
        throw new InputError(`the checkpoint directory is locked by a file that names no run; remove it if no run uses ${dir}`, path);
      }
      const local = owner.host === me.host;
      if (!local || owner.pid === me.pid || running(owner.pid)) {
        throw new InputError(
          `the checkpoint directory is in use by another run (process ${owner.pid}${local ? '' : ` on ${owner.host}`}, lock file ${path}); ` +
            'wait for it to end, or choose another --checkpoints directory',
          dir,
        );
      }
      log(`taking over the stale lock of process ${owner.pid}, which is no longer running (${path})`);
      try {
        unlinkSync(path);
      } catch (e) {
        if (code(e) !== 'ENOENT') throw e;
      }
    }
  } finally {
    unlinkSync(tmp);
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readOwner(path)?.pid !== me.pid) return;
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  // process.exit (a second Ctrl-C) skips every finally: the exit event still runs.
  process.on('exit', release);
  return release;
}
