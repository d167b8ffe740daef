import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareBytewise, expandInputs, expandLocalPattern, hasPattern, segmentMatcher } from '../../src/io/patterns.js';
import { InputError } from '../../src/core/errors.js';

test('segmentMatcher: *, ?, classes, negation, escapes and the hidden-file rule', () => {
  assert.ok(segmentMatcher('part-*')('part-00001'));
  assert.ok(!segmentMatcher('part-*')('xpart-1'));
  assert.ok(segmentMatcher('a?c')('abc'));
  assert.ok(!segmentMatcher('a?c')('ac'));
  assert.ok(segmentMatcher('s[0-3]')('s2'));
  assert.ok(!segmentMatcher('s[0-3]')('s4'));
  assert.ok(segmentMatcher('s[!0-3]')('s4'));
  assert.ok(segmentMatcher('s[^0-3]')('s9'));
  assert.ok(!segmentMatcher('s[!0-3]')('s1'));
  assert.ok(segmentMatcher('a\\*b')('a*b'));
  assert.ok(!segmentMatcher('a\\*b')('axb'));
  assert.ok(!segmentMatcher('*')('_SUCCESS'));
  assert.ok(!segmentMatcher('*')('.hidden'));
  assert.ok(!segmentMatcher('?SUCCESS')('_SUCCESS'));
  assert.ok(segmentMatcher('_*')('_SUCCESS'), 'a pattern that names the underscore matches it');
  assert.ok(segmentMatcher('a.b*')('a.b.c'), 'dots are literal');
  assert.ok(!segmentMatcher('a.b')('aXb'));
  assert.ok(hasPattern('x/*.tfr') && hasPattern('a?') && hasPattern('[ab]') && !hasPattern('plain/path.tfr'));
});

test('expandLocalPattern: byte-wise order, no directories, no hidden files, no .idx unless named', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-pattern-'));
  try {
    for (const name of ['b.tfr', 'a.tfr', 'Z.tfr', 'é.tfr', 'a.tfr.idx', '_SUCCESS', '.a.tfr.crc', 'c.txt']) {
      await writeFile(join(dir, name), '');
    }
    await mkdir(join(dir, 'sub.tfr'));
    await mkdir(join(dir, 'x1'));
    await mkdir(join(dir, 'x2'));
    await writeFile(join(dir, 'x1', 'p.tfr'), '');
    await writeFile(join(dir, 'x2', 'p.tfr'), '');
    const got = await expandLocalPattern(join(dir, '*'));
    assert.deepEqual(got.map((p) => p.slice(dir.length + 1)), ['Z.tfr', 'a.tfr', 'b.tfr', 'c.txt', 'é.tfr']);
    const tfr = await expandLocalPattern(join(dir, '*.tfr'));
    assert.deepEqual(tfr.map((p) => p.slice(dir.length + 1)), ['Z.tfr', 'a.tfr', 'b.tfr', 'é.tfr']);
    const idx = await expandLocalPattern(join(dir, '*.idx'));
    assert.deepEqual(idx.map((p) => p.slice(dir.length + 1)), ['a.tfr.idx']);
    const nested = await expandLocalPattern(join(dir, 'x?', 'p.tfr'));
    assert.deepEqual(nested.map((p) => p.slice(dir.length + 1)), ['x1/p.tfr', 'x2/p.tfr']);
    const mixed = await expandInputs([join(dir, 'b.tfr'), join(dir, '[aZ].tfr')]);
    assert.deepEqual(mixed.map((p) => p.slice(dir.length + 1)), ['b.tfr', 'Z.tfr', 'a.tfr']);
    await assert.rejects(expandLocalPattern(join(dir, 'nothing-*')), (e: unknown) => e instanceof InputError && /nothing-\*/.test((e as Error).message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('compareBytewise orders by UTF-8 bytes, not UTF-16 code units', () => {
  // U+FF61 (3 UTF-8 bytes EF BD A1) sorts before U+1F600 (F0 ...) by bytes, after it by UTF-16.
  const a = '\uff61';
  const b = '\u{1f600}';
  assert.ok(a > b, 'JS compares UTF-16 code units');
  assert.ok(compareBytewise(a, b) < 0);
});
