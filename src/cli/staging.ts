// Nothing half-written: a command writes its outputs into a hidden staging directory next to the
// destination and moves them into place only when everything succeeded; on failure the staging
// directory is removed and the destination is left as it was.
import { rmSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { makeDirs } from '../io/make-dirs.js';

// Partial outputs alive right now; an interrupt (Ctrl-C, SIGTERM) removes them before exiting.
const partial = new Set<string>();
// Work that ends itself cleanly on an interrupt (train keeps its best model so far): the first
// signal goes to it instead; a second one exits at once, removing the partial outputs.
const graceful = new Set<(signal: NodeJS.Signals) => void>();
let interrupted = false;
let handlersInstalled = false;

function onSignal(signal: NodeJS.Signals): void {
  if (graceful.size > 0 && !interrupted) {
    interrupted = true;
    for (const handler of [...graceful]) handler(signal);
    return;
  }
  for (const dir of partial) {
    // A write already under way in the thread pool can add a file while the directory is being
    // emptied (ENOTEMPTY): retry, and never let a failed removal change the exit status.
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch (error) {
      process.stderr.write(`recordflow: could not remove the partial output ${dir}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/**
 * Lets `handler` answer the first interrupt (SIGINT, SIGTERM) instead of the default exit, so
 * the work can stop at a safe point and keep what it finished; a second interrupt still exits at
 * once. Returns the unregister function.
 */
export function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  installHandlers();
  graceful.add(handler);
  return () => {
    graceful.delete(handler);
  };
}

/** Registers a directory to remove if the process is interrupted; returns the unregister function. */
export function removeOnInterrupt(dir: string): () => void {
  installHandlers();
  partial.add(dir);
  return () => {
    partial.delete(dir);
  };
}

export class Staging {
  private constructor(
    readonly dir: string,
    readonly target: string,
  ) {}

  /** Creates `target` (if needed) and a fresh staging directory inside it. */
  static async open(target: string): Promise<Staging> {
    const abs = resolve(target);
    await makeDirs(abs);
    const dir = join(abs, `.recordflow-partial-${process.pid}-${Date.now().toString(36)}`);
    await mkdir(dir);
    const staging = new Staging(dir, abs);
    staging.unregister = removeOnInterrupt(dir);
    return staging;
  }

  private unregister: () => void = () => {};

  /** Path of a file inside the staging directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /**
   * Moves every staged entry into the target (replacing same-named entries of the same kind) and
   * removes the staging dir. A file that would replace a directory, or a directory a file, is
   * refused before anything moves: the user's directory is not ours to delete.
   */
  async commit(): Promise<string[]> {
    const names = await readdir(this.dir);
    for (const name of names) {
      const dest = join(this.target, name);
      const existing = await lstat(dest).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (existing === undefined) continue;
      const staged = await lstat(join(this.dir, name));
      if (existing.isDirectory() !== staged.isDirectory()) {
        const what = existing.isDirectory() ? 'a directory' : 'a file';
        throw new InputError(`the output ${name} would replace ${what} of that name; move it away or choose another --out (nothing was written)`, dest);
      }
    }
    for (const name of names) {
      const dest = join(this.target, name);
      await rm(dest, { recursive: true, force: true });
      await rename(join(this.dir, name), dest);
    }
    await rm(this.dir, { recursive: true, force: true });
    this.unregister();
    return names.map((n) => join(this.target, n));
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    this.unregister();
  }

  /** Runs `fn` with this staging area; commits on success, aborts on any error. */
  async run<T>(fn: (staging: Staging) => Promise<T>): Promise<T> {
    try {
      const result = await fn(this);
      await this.commit();
      return result;
    } catch (err) {
      await this.abort();
      throw err;
    }
  }
}

/** Like Staging.open(target).run(fn), but also removes `target` itself if this call created it. */
export async function staged<T>(target: string, fn: (staging: Staging) => Promise<T>, options: { shared?: boolean } = {}): Promise<T> {
  const abs = resolve(target);
  let existed = true;
  try {
    await stat(abs);
  } catch {
    // A target that other processes write into at the same time (workers) is never removed.
    existed = options.shared === true;
  }
  // A target this call creates goes away on an interrupt too (its staging dir is inside it).
  const unregister = existed ? () => {} : removeOnInterrupt(abs);
  const staging = await Staging.open(abs);
  try {
    return await staging.run(fn);
  } catch (err) {
    if (!existed) await rm(abs, { recursive: true, force: true });
    throw err;
  } finally {
    unregister();
  }
}
