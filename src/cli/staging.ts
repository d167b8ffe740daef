// Nothing half-written: a command writes its outputs into a hidden staging directory next to the
// destination and moves them into place only when everything succeeded; on failure the staging
// directory is removed and the destination is left as it was.
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export class Staging {
  private constructor(
    readonly dir: string,
    readonly target: string,
  ) {}

  /** Creates `target` (if needed) and a fresh staging directory inside it. */
  static async open(target: string): Promise<Staging> {
    const abs = resolve(target);
    await mkdir(abs, { recursive: true });
    const dir = join(abs, `.recordflow-partial-${process.pid}-${Date.now().toString(36)}`);
    await mkdir(dir);
    return new Staging(dir, abs);
  }

  /** Path of a file inside the staging directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Moves every staged entry into the target (replacing same-named entries) and removes the staging dir. */
  async commit(): Promise<string[]> {
    const names = await readdir(this.dir);
    for (const name of names) {
      const dest = join(this.target, name);
      await rm(dest, { recursive: true, force: true });
      await rename(join(this.dir, name), dest);
    }
    await rm(this.dir, { recursive: true, force: true });
    return names.map((n) => join(this.target, n));
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
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
export async function staged<T>(target: string, fn: (staging: Staging) => Promise<T>): Promise<T> {
  const abs = resolve(target);
  let existed = true;
  try {
    await stat(abs);
  } catch {
    existed = false;
  }
  const staging = await Staging.open(abs);
  try {
    return await staging.run(fn);
  } catch (err) {
    if (!existed) await rm(abs, { recursive: true, force: true });
    throw err;
  }
}
