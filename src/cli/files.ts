// Small file helpers shared by the commands.
import type { Stats } from 'node:fs';
import { stat, writeFile, rename, rm } from 'node:fs/promises';
import { FILE_PROBLEMS, InputError, fileError } from '../core/errors.js';
import { dirname, basename, join } from 'node:path';
import { UsageError } from './command.js';
import { isS3Url } from '../storage/url.js';

/** A FILE argument of `-` means standard input. */
export const STDIN_ARG = '-';
/** How messages name standard input. */
export const STDIN_NAME = '<stdin>';

/** A FILE argument ready to read: `-` is standard input, anything else a path checked first. */
export interface InputArg {
  /** What the io room reads: the path, or the process's standard input. */
  input: string | NodeJS.ReadableStream;
  /** How messages name it (the path as given, or `<stdin>`). */
  name: string;
}

/**
 * Resolve a FILE argument; a missing path or object, or a pattern that matches nothing, fails
 * here, before the command prints anything. A pattern stays a pattern: the reader expands it.
 */
export async function inputArg(file: string): Promise<InputArg> {
  if (file === STDIN_ARG) return { input: process.stdin, name: STDIN_NAME };
  await assertFile(file);
  return { input: file, name: file };
}

/** The FILE arguments with every pattern (local or s3://) expanded in place, in byte-wise order. */
export async function expandFileArgs(files: readonly string[]): Promise<string[]> {
  const { expandInputs } = await import('../io/patterns.js');
  const out: string[] = [];
  for (const f of files) out.push(...(f === STDIN_ARG ? [f] : await expandInputs([f])));
  return out;
}

/** Standard input can be read once: refuse a command line that names it twice. */
export function stdinAtMostOnce(files: readonly string[], what: string): void {
  if (files.filter((f) => f === STDIN_ARG).length > 1) throw new UsageError(`- (standard input) can be only one of ${what}`);
}

/**
 * Refuses a FILE argument that is missing or a directory (an InputError in the shared words,
 * naming the path as the user gave it) before a command starts streaming, so a missing file
 * never produces partial output.
 */
export async function assertFile(path: string): Promise<void> {
  const { hasPattern } = await import('../io/patterns.js');
  if (hasPattern(path)) {
    await expandFileArgs([path]);
    return;
  }
  if (isS3Url(path)) {
    const { headObject } = await import('../storage/objects.js');
    if ((await headObject(path)) === undefined) throw new InputError('no such object', path);
    return;
  }
  if ((await statArg(path)).isDirectory()) throw new InputError(FILE_PROBLEMS.EISDIR!, path);
}

/** Refuses a DIR argument that is missing or not a directory, as `assertFile` does for files. */
export async function assertDir(path: string): Promise<void> {
  if (!(await statArg(path)).isDirectory()) throw new InputError(FILE_PROBLEMS.ENOTDIR!, path);
}

async function statArg(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (e) {
    throw fileError(e, path);
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes a file under a temporary name in the same directory, then renames it into place. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
