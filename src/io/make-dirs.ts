// `mkdir -p` without Node's recursive mkdir, which loops for ever under /proc (there, mkdir of a
// missing directory fails with ENOENT although its parent exists, and Node retries the parent).
// Here the existing ancestor is found with stat, and each missing level is made once: a place
// where directories cannot be made fails at once with an InputError naming it.

import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';

const PROBLEMS: Record<string, string> = {
  ENOENT: 'the file system there does not allow new directories',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * Creates directory `path` and any missing parents (like `mkdir -p`); an existing directory is
 * fine. Failures are InputErrors naming `path` (and the level that failed, when another).
 */
export async function makeDirs(path: string): Promise<void> {
  const target = resolve(path);
  const fail = (at: string, code: string | undefined, cause: unknown): never => {
    const why = PROBLEMS[code ?? ''] ?? `error ${code ?? String(cause)}`;
    throw new InputError(`cannot create the directory${at === target ? '' : ` ${at}`}: ${why}`, path, { cause });
  };
  const missing: string[] = [];
  for (let p = target; ; ) {
    try {
      if ((await stat(p)).isDirectory()) break;
      fail(p, 'ENOTDIR', undefined);
    } catch (e) {
      if (e instanceof InputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') fail(p, code, e);
      missing.push(p);
      const parent = dirname(p);
      if (parent === p) fail(p, code, e);
      p = parent;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      await mkdir(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // made meanwhile by someone else: fine if it is a directory
      if (code === 'EEXIST' && (await stat(dir).then((s) => s.isDirectory(), () => false))) continue;
      fail(dir, code, e);
    }
  }
}
