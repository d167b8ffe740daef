import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { staged, Staging } from '../../src/cli/staging.js';
import { InputError } from '../../src/core/errors.js';

/** Runs fn on a fresh scratch directory, removed afterwards whatever happens. */
async function inScratch(fn: (out: string) => Promise<void>): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'recordflow-staging-'));
  try {
    await fn(out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

test('a staged file never replaces a directory of the same name: refused, nothing moved, the directory kept', () =>
  inScratch(async (out) => {
    await mkdir(join(out, 'loc_val.tfr'));
    await writeFile(join(out, 'loc_val.tfr', 'keep.txt'), 'mine');
    await assert.rejects(
      staged(out, async (s) => {
        await writeFile(s.path('loc_train.tfr'), 'train');
        await writeFile(s.path('loc_val.tfr'), 'val');
      }),
      (err: unknown) => err instanceof InputError && /loc_val\.tfr would replace a directory/.test(err.message),
    );
    assert.equal(await readFile(join(out, 'loc_val.tfr', 'keep.txt'), 'utf8'), 'mine');
    // All or nothing: the file that could have moved did not, and no staging directory is left.
    assert.deepEqual((await readdir(out)).sort(), ['loc_val.tfr']);
  }));

test('a staged directory never replaces a file of the same name', () =>
  inScratch(async (out) => {
    await writeFile(join(out, 'model'), 'a file of the user');
    const staging = await Staging.open(out);
    await mkdir(staging.path('model'));
    await assert.rejects(staging.run(async () => undefined), /model would replace a file/);
    assert.equal(await readFile(join(out, 'model'), 'utf8'), 'a file of the user');
  }));

test('same-kind entries are replaced as before (a rerun rewrites its outputs)', () =>
  inScratch(async (out) => {
    await writeFile(join(out, 'metrics.json'), 'old');
    await mkdir(join(out, 'model'));
    await writeFile(join(out, 'model', 'stale.bin'), 'old');
    await staged(out, async (s) => {
      await writeFile(s.path('metrics.json'), 'new');
      await mkdir(s.path('model'));
      await writeFile(join(s.path('model'), 'weights.bin'), 'new');
    });
    assert.equal(await readFile(join(out, 'metrics.json'), 'utf8'), 'new');
    assert.deepEqual(await readdir(join(out, 'model')), ['weights.bin']);
  }));
