// Differential tests of the .npy header parser and the npz reader against Debian's
// python3-numpy: seeded members whose headers take the forms numpy's literal_eval reading allows
// (and some it refuses), and mutations of them, each stored by python's zipfile and loaded by
// numpy.load. Our readNpz gives numpy's dtype, shape and bytes (C order, bit for bit), or refuses
// with an InputError where numpy refuses; where numpy reads a dtype recordflow does not support,
// the InputError says so. Never silently different.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { askPython } from './differential.js';
import { InputError } from '../../src/core/errors.js';
import { readNpz, type NdArray } from '../../src/io/npz.js';
import { mutatedNpy, npyForms } from './npy-forms.js';

const ORACLE = fileURLToPath(new URL('fixtures/numpy_oracle.py', import.meta.url));

interface Row {
  zip: string;
  ok?: [string, number[], string];
  error?: string;
}

const oracle = (cases: Uint8Array[]): Row[] => askPython<Row>(ORACLE, cases);

/** Refusals that are recordflow's choice (numpy reads these, recordflow says it does not). */
const UNSUPPORTED = /is not supported|are not supported|does not unpickle|cannot index|more than recordflow can hold/;

const hexOf = (a: NdArray): string => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('hex');

async function compare(cases: Uint8Array[], label: string): Promise<{ read: number; refused: number; unsupported: number }> {
  const rows = oracle(cases);
  const failures: string[] = [];
  let read = 0;
  let refused = 0;
  let unsupported = 0;
  for (let i = 0; i < cases.length; i++) {
    const row = rows[i]!;
    const where = `${label} case ${i}: ${JSON.stringify(Buffer.from(cases[i]!.subarray(0, 200)).toString('latin1'))}`;
    let got: NdArray | undefined;
    let err: unknown;
    try {
      got = (await readNpz(Buffer.from(row.zip, 'hex')))['a'];
    } catch (e) {
      err = e;
    }
    if (err !== undefined && !(err instanceof InputError)) {
      failures.push(`${where}: untyped ${(err as Error).stack}`);
      continue;
    }
    if (row.error !== undefined) {
      refused++;
      if (err === undefined) failures.push(`${where}: numpy refuses (${row.error}), we read ${got!.dtype} ${JSON.stringify(got!.shape)}`);
      continue;
    }
    read++;
    if (err !== undefined) {
      if (UNSUPPORTED.test((err as Error).message)) unsupported++;
      else failures.push(`${where}: numpy reads ${JSON.stringify(row.ok!.slice(0, 2))}, we refuse: ${(err as Error).message}`);
      continue;
    }
    const [dtype, shape, bytes] = row.ok!;
    if (got!.dtype !== dtype || JSON.stringify(got!.shape) !== JSON.stringify(shape) || hexOf(got!) !== bytes) {
      failures.push(`${where}: numpy ${JSON.stringify([dtype, shape, bytes.slice(0, 64)])}, we ${JSON.stringify([got!.dtype, got!.shape, hexOf(got!).slice(0, 64)])}`);
    }
  }
  assert.deepEqual(failures.slice(0, 4), [], `${failures.length} of ${cases.length} differ`);
  return { read, refused, unsupported };
}

test('npy headers in every form numpy reads: same dtype, shape and bytes, or a typed refusal (2500 seeded)', async () => {
  const r = await compare(npyForms(1024, 2500), 'form');
  assert.ok(r.read - r.unsupported > 900 && r.refused > 300, JSON.stringify(r));
});

test('mutated npy members: read as numpy reads them, or refused where numpy refuses (2500 seeded)', async () => {
  const r = await compare(mutatedNpy(4096, 2500), 'mutated');
  assert.ok(r.read - r.unsupported > 60 && r.refused > 1500, JSON.stringify(r));
});

/** A .npy member with this header text (padded with a newline) and data. */
function member(header: string, data: number[], version: [number, number] = [1, 0]): Uint8Array {
  const h = Buffer.from(header + '\n', version[0] === 3 ? 'utf8' : 'latin1');
  const pre = version[0] === 1 ? 10 : 12;
  const head = Buffer.alloc(pre);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, ...version]);
  if (pre === 10) head.writeUInt16LE(h.length, 8);
  else head.writeUInt32LE(h.length, 8);
  return Uint8Array.from([...head, ...h, ...data]);
}

test('named npy traps, each as numpy has it: repeated key, comment, trailing text, extra key, float shape, versions, Fortran NaN bits', async () => {
  const H = (shape: string, extra = ''): string => `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, ${extra}}`;
  const snan = [0x01, 0x00, 0x80, 0x7f, 0x02, 0x00, 0xa0, 0xff, 0x00, 0x00, 0xc0, 0x7f, 0x03, 0x00, 0x80, 0x7f, 0, 0, 0x80, 0x3f, 0x05, 0, 0x80, 0xff];
  const snan64 = [0x01, 0, 0, 0, 0, 0, 0xf0, 0x7f, 0x02, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0x03, 0, 0, 0, 0, 0, 0xf0, 0xff, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f];
  const cases: [string, Uint8Array, 'read' | 'refused'][] = [
    ['a repeated key: the last value counts', member(`{'shape': (9,), 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}`, snan.slice(0, 4)), 'read'],
    ['a comment inside the dict', member(`{'descr': '<f4', # the dtype\n 'fortran_order': False, 'shape': (1,), }`, snan.slice(0, 4)), 'read'],
    ['a Python 2 long in a version 1.0 shape', member(H('(1L,)'), snan.slice(0, 4)), 'read'],
    ['a Python 2 long in a version 3.0 shape', member(H('(1L,)'), snan.slice(0, 4), [3, 0]), 'refused'],
    ['text after the dict', member(`${H('(1,)')} xyz`, snan.slice(0, 4)), 'refused'],
    ['an extra key', member(H('(1,)', "'extra': 1, "), snan.slice(0, 4)), 'refused'],
    ['a float in the shape', member(H('(1.0,)'), snan.slice(0, 4)), 'refused'],
    ['a bool in the shape', member(H('(True,)'), snan.slice(0, 4)), 'refused'],
    ['version 1.1', member(H('(1,)'), snan.slice(0, 4), [1, 1]), 'refused'],
    ['version 2.1', member(H('(1,)'), snan.slice(0, 4), [2, 1]), 'refused'],
    ['version 2.0', member(H('(1,)'), snan.slice(0, 4), [2, 0]), 'read'],
    ['Fortran float32 with signalling NaNs', member(`{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }`, snan), 'read'],
    ['Fortran big-endian float32 with signalling NaNs', member(`{'descr': '>f4', 'fortran_order': True, 'shape': (3, 2), }`, snan), 'read'],
    ['Fortran float64 with signalling NaNs', member(`{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }`, snan64), 'read'],
  ];
  const rows = oracle(cases.map((c) => c[1]));
  for (const [i, [name, , want]] of cases.entries()) {
    assert.equal(rows[i]!.error === undefined ? 'read' : 'refused', want, `${name}: numpy ${rows[i]!.error ?? 'reads it'}`);
    let got: NdArray | undefined;
    try {
      got = (await readNpz(Buffer.from(rows[i]!.zip, 'hex')))['a'];
    } catch (e) {
      assert.ok(e instanceof InputError, `${name}: ${(e as Error).stack}`);
      assert.equal(want, 'refused', `${name}: ${(e as Error).message}`);
      continue;
    }
    assert.equal(want, 'read', `${name}: we read it`);
    assert.deepEqual([got!.dtype, got!.shape, hexOf(got!)], rows[i]!.ok, name);
  }
});
