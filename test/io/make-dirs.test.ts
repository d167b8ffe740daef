// makeDirs: mkdir -p that fails at once where directories cannot be made (/proc, under a file),
// instead of Node's recursive mkdir, which loops for ever under /proc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors.js';
import { makeDirs } from '../../src/io/make-dirs.js';

test('makeDirs creates missing levels and accepts an existing directory', async () => {
  const root = await mkdtemp(join(tmpdir(), 'rf-mkdirs-'));
  try {
    const deep = join(root, 'a', 'b', 'c');
    await makeDirs(deep);
    assert.ok((await stat(deep)).isDirectory());
    await makeDirs(deep);
    await makeDirs(join(root, 'a', '..', 'a', 'b'));
    await writeFile(join(root, 'file'), 'x');
    await assert.rejects(makeDirs(join(root, 'file', 'sub')), (e: unknown) => e instanceof InputError && /a part of the path is not a directory/.test(e.message));
    await assert.rejects(makeDirs(join(root, 'file')), (e: unknown) => e instanceof InputError && e.message.startsWith(join(root, 'file')));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('under /proc the first missing level fails with an InputError naming the path (no loop)', async () => {
  await assert.rejects(makeDirs('/proc/rf-no-such/out'), (e: unknown) => e instanceof InputError && e.message === '/proc/rf-no-such/out: cannot create the directory /proc/rf-no-such: the file system there does not allow new directories');
  await assert.rejects(makeDirs('/proc/rf-no-such'), (e: unknown) => e instanceof InputError && /^\/proc\/rf-no-such: cannot create the directory: /.test(e.message));
});
