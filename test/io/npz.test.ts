// readNpz / npzRows against numpy-written files (golden/npz, made by golden/make_npz_golden.py),
// and writeNpz checked by loading its output with numpy itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npzRows, readNpz, writeNpz, type NdArray } from '../../src/io/npz.js';
import { InputError } from '../../src/core/errors.js';

const dir = fileURLToPath(new URL('../../golden/npz/', import.meta.url));
const manifest: Record<string, Record<string, { dtype: string; shape: number[]; hex: string }>> = JSON.parse(
  readFileSync(join(dir, 'manifest.json'), 'utf8'),
);
const list = (a: unknown): unknown[] => Array.from(a as ArrayLike<unknown>);
const hexOf = (a: NdArray): string => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('hex');

const CTOR: Record<string, string> = {
  bool: 'Uint8Array', uint8: 'Uint8Array', int8: 'Int8Array', uint16: 'Uint16Array', int16: 'Int16Array',
  uint32: 'Uint32Array', int32: 'Int32Array', uint64: 'BigUint64Array', int64: 'BigInt64Array',
  float16: 'Uint16Array', float32: 'Float32Array', float64: 'Float64Array',
};

test('every numpy golden file reads with numpy dtype, shape and bytes', async () => {
  const names = Object.keys(manifest);
  assert.deepEqual(names.sort(), ['basic.npz', 'bigendian.npz', 'compressed.npz', 'fortran.npz', 'reference_like.npz', 'zip64.npz']);
  for (const name of names) {
    for (const source of [join(dir, name), new Uint8Array(readFileSync(join(dir, name)))]) {
      const got = await readNpz(source);
      const want = manifest[name]!;
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), name);
      for (const [k, w] of Object.entries(want)) {
        const a = got[k]!;
        assert.equal(a.dtype, w.dtype, `${name}/${k} dtype`);
        assert.deepEqual(a.shape, w.shape, `${name}/${k} shape`);
        assert.equal(a.data.constructor.name, CTOR[w.dtype], `${name}/${k} type`);
        assert.equal(hexOf(a), w.hex, `${name}/${k} data`);
      }
    }
  }
});

test('large deflated members stream through zlib with the same result', async () => {
  const path = join(dir, 'compressed.npz');
  const whole = await readNpz(path);
  const streamed = await readNpz(path, { streamInflateAbove: 0 });
  for (const k of Object.keys(whole)) assert.equal(hexOf(streamed[k]!), hexOf(whole[k]!), k);
  const bytes = new Uint8Array(readFileSync(path));
  const at = Buffer.from(bytes).indexOf('u8.npy') + 6 + 20 + 10;
  for (let i = 0; i < 40; i++) bytes[at + i] = 0xff;
  await assert.rejects(readNpz(bytes, { streamInflateAbove: 0 }), (e: unknown) => e instanceof InputError && /'u8'/.test(e.message));
  await assert.rejects(readNpz(bytes), (e: unknown) => e instanceof InputError && /'u8'/.test(e.message));
});

test('spot values: int64 as BigInt64Array, big-endian swapped, fortran in C order', async () => {
  const basic = await readNpz(join(dir, 'basic.npz'), { keys: ['i64', 'flags'] });
  assert.deepEqual(Object.keys(basic), ['i64', 'flags']);
  assert.deepEqual(list(basic.i64!.data), [0n, -1n, 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n]);
  assert.deepEqual(list(basic.flags!.data), [1, 0, 1]);
  const be = await readNpz(join(dir, 'bigendian.npz'));
  assert.deepEqual(list(be.i8!.data), [1n, -2n, 2n ** 40n]);
  assert.deepEqual(list(be.u2!.data), [1, 258]);
  const f = await readNpz(join(dir, 'fortran.npz'));
  assert.deepEqual(list(f.f!.data), Array.from({ length: 12 }, (_, i) => i));
  assert.deepEqual(list(f.i!.data), Array.from({ length: 24 }, (_, i) => BigInt(i)));
});

test('object arrays, missing keys, corrupt and non-zip input are InputErrors naming file and key', async () => {
  const objPath = join(dir, 'object.npz');
  await assert.rejects(readNpz(objPath), (e: unknown) => e instanceof InputError && /object\.npz/.test(e.message) && /'obj'/.test(e.message) && /pickle/.test(e.message));
  assert.deepEqual(list((await readNpz(objPath, { keys: ['ok'] })).ok!.data), [0n, 1n, 2n]);
  await assert.rejects(readNpz(join(dir, 'basic.npz'), { keys: ['nope'] }), (e: unknown) => e instanceof InputError && /'nope'/.test(e.message) && /basic\.npz/.test(e.message));
  await assert.rejects(readNpz(join(dir, 'missing.npz')), (e: unknown) => e instanceof InputError && /missing\.npz/.test(e.message));
  await assert.rejects(readNpz(join(dir, 'manifest.json')), InputError);
  const bytes = new Uint8Array(readFileSync(join(dir, 'basic.npz')));
  const at = Buffer.from(bytes).indexOf('u8.npy') + 6 + 20 + 128 + 3; // a data byte of 'u8'
  bytes[at]! ^= 0xff;
  await assert.rejects(readNpz(bytes), (e: unknown) => e instanceof InputError && /'u8'.*CRC/.test(e.message));
  const cut = new Uint8Array(readFileSync(join(dir, 'compressed.npz'))).subarray(0, 1000);
  await assert.rejects(readNpz(cut), InputError);
});

test('npzRows yields per-row views along axis 0', async () => {
  const path = join(dir, 'reference_like.npz');
  const all = await readNpz(path);
  const rows = [];
  for await (const row of npzRows(path, ['images', 'numbers', 'coordinates'])) rows.push(row);
  assert.equal(rows.length, 6);
  const r2 = rows[2]!;
  assert.deepEqual(Object.keys(r2), ['images', 'numbers', 'coordinates']);
  assert.equal(r2.images!.length, 768);
  assert.equal(r2.numbers!.length, 1);
  assert.equal(r2.coordinates!.length, 24);
  assert.deepEqual(list(r2.images), list(all.images!.data.subarray(2 * 768, 3 * 768)));
  assert.equal(r2.numbers![0], (all.numbers!.data as BigInt64Array)[2]);
  // views: rows share one buffer at consecutive offsets
  assert.equal(rows[3]!.images!.buffer, rows[2]!.images!.buffer);
  assert.equal(rows[3]!.images!.byteOffset - rows[2]!.images!.byteOffset, 768);
  // mismatched axis 0
  await assert.rejects(async () => {
    for await (const _ of npzRows(join(dir, 'basic.npz'), ['u8', 'i64'])) void _;
  }, (e: unknown) => e instanceof InputError && /axis 0/.test(e.message));
});

test('writeNpz output loads in numpy (stored, deflated, forced ZIP64)', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'rf-npz-'));
  try {
    const arrays: Record<string, NdArray> = {
      u8: { dtype: 'uint8', shape: [2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 255]) },
      i64: { dtype: 'int64', shape: [3], data: new BigInt64Array([-1n, 2n ** 62n, 0n]) },
      f32: { dtype: 'float32', shape: [2, 2], data: new Float32Array([0.5, -1, Infinity, 3]) },
      flag: { dtype: 'bool', shape: [2], data: new Uint8Array([1, 0]) },
      scalar: { dtype: 'float64', shape: [], data: new Float64Array([2.5]) },
      empty: { dtype: 'int16', shape: [0, 4], data: new Int16Array(0) },
      big: { dtype: 'uint16', shape: [40000], data: new Uint16Array(40000).map((_, i) => i) },
    };
    const variants = { 'plain.npz': {}, 'deflated.npz': { compress: true }, 'zip64.npz': { forceZip64: true } };
    for (const [name, opts] of Object.entries(variants)) await writeNpz(join(tmp, name), arrays, opts);
    assert.deepEqual((await readdir(tmp)).sort(), Object.keys(variants).sort(), 'no temp files left');
    const script = `
import json, sys, numpy as np
out = {}
for p in sys.argv[1:]:
    with np.load(p) as z:
        out[p] = {k: [z[k].dtype.str, list(z[k].shape), np.ascontiguousarray(z[k], dtype=z[k].dtype.newbyteorder('<')).tobytes().hex()] for k in z.files}
print(json.dumps(out))`;
    const paths = Object.keys(variants).map((n) => join(tmp, n));
    const loaded = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, ...paths], { encoding: 'utf8' }));
    const descr: Record<string, string> = { u8: '|u1', i64: '<i8', f32: '<f4', flag: '|b1', scalar: '<f8', empty: '<i2', big: '<u2' };
    for (const p of paths) {
      for (const [k, a] of Object.entries(arrays)) {
        assert.deepEqual(loaded[p][k], [descr[k], a.shape, hexOf(a)], `${p} ${k}`);
      }
      // and our reader reads our writer
      const back = await readNpz(p);
      for (const [k, a] of Object.entries(arrays)) assert.equal(hexOf(back[k]!), hexOf(a), `${p} ${k} read back`);
    }
    await assert.rejects(writeNpz(join(tmp, 'bad.npz'), { x: { dtype: 'float32', shape: [3], data: new Float32Array(2) } }), (e: unknown) => e instanceof InputError && /'x'/.test(e.message));
    await assert.rejects(writeNpz(join(tmp, 'bad.npz'), { x: { dtype: 'int64', shape: [1], data: new Float64Array(1) } }), InputError);
    await writeFile(join(tmp, 'keep'), '');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('readNpz of a directory or a missing path: an InputError in the shared words, naming the path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rf-npz-paths-'));
  try {
    await assert.rejects(readNpz(dir), (e: unknown) => e instanceof InputError && e.message === `${dir}: is a directory, expected a file`);
    const gone = join(dir, 'gone.npz');
    await assert.rejects(readNpz(gone), (e: unknown) => e instanceof InputError && e.message === `${gone}: no such file or directory`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
