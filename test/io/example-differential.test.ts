// Differential tests of the Example decoder against Debian's python3-protobuf: thousands of
// seeded Examples in every valid wire form, and mutations of them. For each one our decoder
// either gives exactly python's parse (keys, kinds, bytes, float bits, int64s; the JSON mapping
// too) or refuses with a typed error where python refuses; never silently different. Cases run
// in sequence through the same decoder, so caches carried from one record to the next (and
// across records that fail) are exercised as a stream would exercise them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { askPython } from './differential.js';
import { InputError } from '../../src/core/errors.js';
import { NO_KIND, decodeExample, type DecodedFeature } from '../../src/io/example.js';
import { exampleToJson } from '../../src/io/example-json.js';
import { exampleWireForms, mutatedExamples } from './wire-forms.js';

const ORACLE = fileURLToPath(new URL('fixtures/protobuf_oracle.py', import.meta.url));

type Parsed = Record<string, [string, string[] | string | null]>;
interface OracleRow {
  ok?: Parsed;
  json?: unknown;
  error?: string;
}

/** python's verdict on each message, in one python process. */
const oracle = (cases: Uint8Array[]): OracleRow[] => askPython<OracleRow>(ORACLE, cases);

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function describe(v: DecodedFeature): [string, string[] | string | null] {
  if (v === NO_KIND) return ['n', null];
  if (v instanceof Float32Array) return ['f', hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))];
  if (v instanceof BigInt64Array) return ['i', Array.from(v, String)];
  return ['b', v.map(hex)];
}

function ours(bytes: Uint8Array): { ok?: Parsed; json?: unknown; error?: unknown } {
  try {
    const f = decodeExample(bytes);
    const ok: Parsed = {};
    for (const k of Object.keys(f)) Object.defineProperty(ok, k, { value: describe(f[k]!), enumerable: true, writable: true, configurable: true });
    return { ok, json: JSON.parse(exampleToJson(bytes)) };
  } catch (error) {
    return { error };
  }
}

/** Compares every case; returns how many python parsed. */
function compare(cases: Uint8Array[], label: string): { parsed: number; refused: number } {
  const want = oracle(cases);
  let parsed = 0;
  let refused = 0;
  const failures: string[] = [];
  cases.forEach((bytes, i) => {
    const got = ours(bytes);
    const py = want[i]!;
    const where = `${label} case ${i}`;
    if (got.error !== undefined && !(got.error instanceof InputError)) {
      failures.push(`${where}: untyped ${(got.error as Error).stack}`);
      return;
    }
    if (py.error !== undefined) {
      refused++;
      if (got.error === undefined) failures.push(`${where}: python refuses (${py.error}), we gave ${JSON.stringify(got.ok)}`);
      return;
    }
    parsed++;
    if (got.error !== undefined) {
      failures.push(`${where}: python parses ${JSON.stringify(py.ok)}, we refuse: ${(got.error as Error).message}`);
      return;
    }
    try {
      assert.deepEqual(got.ok, py.ok);
      assert.deepEqual(got.json, py.json);
    } catch (e) {
      failures.push(`${where}: ${(e as Error).message}`);
    }
  });
  if (failures.length > 0) {
    const first = failures[0]!.split(':')[0]!;
    const bytes = cases[Number(first.split(' ').pop())]!;
    assert.fail(`${failures.length} of ${cases.length} differ; the first: ${failures[0]!.slice(0, 1500)}\nbytes ${hex(bytes)}`);
  }
  return { parsed, refused };
}

test('every valid wire form decodes exactly as python parses it (4000 seeded Examples)', () => {
  const { parsed, refused } = compare(exampleWireForms(20240601, 4000), 'valid');
  // the generator writes valid forms but for a few invalid UTF-8 keys
  assert.ok(parsed > 3500 && refused > 20, `parsed ${parsed}, refused ${refused}`);
});

test('mutated Examples: our parse equals python\'s, or both refuse (4000 seeded mutations)', () => {
  const { parsed, refused } = compare(mutatedExamples(777, 4000), 'mutated');
  assert.ok(parsed > 500 && refused > 1500, `parsed ${parsed}, refused ${refused}`);
});

// --- named traps, each checked against python too --------------------------------------------

const enc = new TextEncoder();
function len(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}
const ld = (tag: number, payload: number[]): number[] => [tag, ...len(payload.length), ...payload];
const entry = (key: string | number[], feature: number[]): number[] =>
  ld(0x0a, [...ld(0x0a, typeof key === 'string' ? [...enc.encode(key)] : key), ...ld(0x12, feature)]);
const int64s = (...v: number[]): number[] => ld(0x1a, ld(0x0a, v));
const example = (...entries: number[][]): Uint8Array => Uint8Array.from(ld(0x0a, entries.flat()));

test('named traps: BOM keys, keys holding U+0000, a throw between records, nested lengths, invalid UTF-8, nesting depth', () => {
  const groups = (d: number): number[] => [...Array(d).fill(0x4b), ...Array(d).fill(0x4c)];
  const cases: [string, Uint8Array, string[] | 'refused'][] = [
    ['U+FEFF is a key of its own, not ""', example(entry('\ufeff', int64s(1)), entry('', int64s(2)), entry('\ufeffa', int64s(3))), ['\ufeff', '', '\ufeffa']],
    ['keys with U+0000 (1)', example(entry('x\u0000', int64s(1)), entry('y', int64s(2))), ['x\u0000', 'y']],
    ['keys with U+0000 (2): not the builder of (1)', example(entry('x', int64s(1)), entry('\u0000y', int64s(2))), ['x', '\u0000y']],
    ['keys p, q', example(entry('p', int64s(1)), entry('q', int64s(2))), ['p', 'q']],
    ['keys r, s, then damage', Uint8Array.from([...example(entry('r', int64s(1)), entry('s', int64s(2)), [0x0a, 0x05, 0x0a]).subarray(0, -1), 0x0a]), 'refused'],
    ['keys r, s after a record that failed on them', example(entry('r', int64s(5)), entry('s', int64s(6))), ['r', 's']],
    ['an entry running past its Features message (within the buffer)', Uint8Array.from([0x0a, 0x05, ...entry('k', int64s(1)), 0x4a, 0x00]), 'refused'],
    ['a list running past its Feature (within the entry)', Uint8Array.from(ld(0x0a, ld(0x0a, [0x0a, 0x01, 0x6b, 0x12, 0x02, 0x1a, 0x04, 0x0a, 0x01, 0x01, 0x22, 0x00]))), 'refused'],
    ['invalid UTF-8 key (a lone continuation byte)', example(entry([0x80], int64s(1))), 'refused'],
    ['invalid UTF-8 key (a surrogate)', example(entry([0xed, 0xa0, 0x80], int64s(1))), 'refused'],
    ['a replaced key that was not UTF-8', example(ld(0x0a, [...ld(0x0a, [0xff]), ...ld(0x0a, [0x61]), ...ld(0x12, int64s(1))])), 'refused'],
    ['value before key, invalid UTF-8 key', example(ld(0x0a, [...ld(0x12, int64s(1)), ...ld(0x0a, [0xc0, 0x80])])), 'refused'],
    ['100 nested unknown groups at the top', Uint8Array.from(groups(100)), []],
    ['101 nested unknown groups at the top', Uint8Array.from(groups(101)), 'refused'],
    ['98 nested groups in an entry', example(ld(0x0a, [...ld(0x0a, [0x6b]), ...groups(98)])), ['k']],
    ['99 nested groups in an entry', example(ld(0x0a, [...ld(0x0a, [0x6b]), ...groups(99)])), 'refused'],
    ['a stray end-group tag at the top', Uint8Array.from([...example(entry('a', int64s(1))), 0x0c]), 'refused'],
    ['a zero tag at the top', Uint8Array.from([...example(entry('a', int64s(1))), 0x00]), 'refused'],
  ];
  const py = oracle(cases.map((c) => c[1]));
  cases.forEach(([name, bytes, want], i) => {
    const got = ours(bytes);
    if (want === 'refused') {
      assert.ok(py[i]!.error !== undefined, `${name}: python parses it`);
      assert.ok(got.error instanceof InputError, `${name}: ${got.error === undefined ? JSON.stringify(got.ok) : (got.error as Error).stack}`);
    } else {
      assert.equal(got.error, undefined, `${name}: ${(got.error as Error | undefined)?.message}`);
      assert.deepEqual(Object.keys(got.ok!), want, name);
      assert.deepEqual(got.ok, py[i]!.ok, name);
    }
  });
});
