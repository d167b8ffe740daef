import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAST_BACKEND, registerFastBackend } from '../../src/train/backend/index.js';
import { cornerPool, CornerPooling, CORNER_POOL_DIRECTIONS, type CornerPoolDirection } from '../../src/detect/corner-pool.js';
import { InputError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/random.js';

type Shape4 = [number, number, number, number];
const BACKENDS = ['cpu', 'wasm', FAST_BACKEND];

/** Index of (b, i, j, c) in NHWC. */
const at = (s: Shape4, b: number, i: number, j: number, c: number): number => ((b * s[1] + i) * s[2] + j) * s[3] + c;

/**
 * The pool by definition, O(L²) per output: the positions an output (b, i, j, c) covers, in
 * order of distance from it; the max is the largest value and the arg-max the first position
 * holding it (the nearest), which takes the output's whole gradient.
 */
function reference(x: Float32Array, dy: Float32Array, s: Shape4, d: CornerPoolDirection): { y: Float32Array; dx: Float32Array } {
  const y = new Float32Array(x.length);
  const dx = new Float32Array(x.length);
  for (let b = 0; b < s[0]; b++) {
    for (let i = 0; i < s[1]; i++) {
      for (let j = 0; j < s[2]; j++) {
        for (let c = 0; c < s[3]; c++) {
          const covered: number[] = [];
          if (d === 'top') for (let k = i; k < s[1]; k++) covered.push(at(s, b, k, j, c));
          if (d === 'bottom') for (let k = i; k >= 0; k--) covered.push(at(s, b, k, j, c));
          if (d === 'left') for (let k = j; k < s[2]; k++) covered.push(at(s, b, i, k, c));
          if (d === 'right') for (let k = j; k >= 0; k--) covered.push(at(s, b, i, k, c));
          let best = covered[0]!;
          for (const p of covered) if (x[p]! > x[best]!) best = p;
          const o = at(s, b, i, j, c);
          y[o] = x[best]!;
          dx[best] += dy[o]!;
        }
      }
    }
  }
  return { y, dx };
}

/** Values from a small set, so every line has ties. */
function tied(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => Math.floor(rng.next() * 5) - 2);
}

function uniform(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

/** The op's output and its gradient for the cotangent dy: tf.grad of sum(pool(x) * dy). */
function run(x: Float32Array, dy: Float32Array, s: Shape4, d: CornerPoolDirection): { y: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, s);
    const w = tf.tensor4d(dy, s);
    const y = cornerPool(xt, d).dataSync() as Float32Array;
    const dx = tf.grad((t) => tf.sum(tf.mul(cornerPool(t as tf.Tensor4D, d), w)))(xt).dataSync() as Float32Array;
    return { y: Float32Array.from(y), dx: Float32Array.from(dx) };
  });
}

describe('cornerPool', () => {
  before(async () => {
    assert.ok(await registerFastBackend());
  });

  // [2, 5, 6, 3]: lines of 3 floats (the fast backend's plain loop for left/right); [3, 4, 6, 8]:
  // whole SIMD vectors along both axes.
  const SHAPES: Shape4[] = [[2, 5, 6, 3], [3, 4, 6, 8], [1, 1, 7, 4], [2, 6, 1, 1]];

  for (const backend of BACKENDS) {
    it(`equals the reference (values, arg-max gradient, ties to the nearest) on ${backend}`, async () => {
      await tf.setBackend(backend);
      for (const [k, s] of SHAPES.entries()) {
        const n = s.reduce((a, b) => a * b, 1);
        const x = tied(n, 100 + k);
        const dy = uniform(n, 200 + k);
        for (const d of CORNER_POOL_DIRECTIONS) {
          const expected = reference(x, dy, s, d);
          const actual = run(x, dy, s, d);
          assert.deepEqual(actual.y, expected.y, `${backend} ${d} [${s.join(', ')}] forward`);
          // The reference sums each arg-max's outputs in another order: equal to float rounding.
          for (let i = 0; i < n; i++) assert.ok(Math.abs(actual.dx[i]! - expected.dx[i]!) <= 1e-5, `${backend} ${d} [${s.join(', ')}] dx[${i}] ${actual.dx[i]} vs ${expected.dx[i]}`);
        }
      }
    });
  }

  it('has the gradient finite differences give, on inputs without ties', async () => {
    for (const backend of ['cpu', FAST_BACKEND]) {
      await tf.setBackend(backend);
      const s: Shape4 = [2, 4, 5, 4];
      const n = s.reduce((a, b) => a * b, 1);
      // Distinct values 0.25 apart in a seeded order: a 0.01 step never changes an arg-max.
      const order = Array.from({ length: n }, (_, i) => i);
      const rng = createRng(9);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const x = Float32Array.from(order, (v) => v * 0.25 - 10);
      const w = uniform(n, 3);
      for (const d of CORNER_POOL_DIRECTIONS) {
        const loss = (v: Float32Array): number => tf.tidy(() => tf.sum(tf.mul(cornerPool(tf.tensor4d(v, s), d), tf.tensor4d(w, s))).dataSync()[0]!);
        const { dx } = run(x, w, s, d);
        const eps = 0.01;
        for (let i = 0; i < n; i++) {
          const plus = Float32Array.from(x);
          const minus = Float32Array.from(x);
          plus[i]! += eps;
          minus[i]! -= eps;
          const numeric = (loss(plus) - loss(minus)) / (2 * eps);
          assert.ok(Math.abs(numeric - dx[i]!) <= 2e-3, `${backend} ${d} dx[${i}]: analytic ${dx[i]}, numeric ${numeric}`);
        }
      }
    }
  });

  it('gives the fast backend the same bits as stock wasm and cpu, also where NaN and signed zeros meet', async () => {
    const s: Shape4 = [2, 3, 4, 4];
    const n = s.reduce((a, b) => a * b, 1);
    const x = tied(n, 5);
    x[3] = NaN;
    x[17] = -0;
    x[21] = 0;
    x[40] = -0;
    const dy = uniform(n, 6);
    for (const d of CORNER_POOL_DIRECTIONS) {
      const results = [];
      for (const backend of BACKENDS) {
        await tf.setBackend(backend);
        results.push(run(x, dy, s, d));
      }
      // Bits, except a NaN's payload and sign (x64's Math.max makes another NaN than wasm's max).
      const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer), (b, i) => (Number.isNaN(a[i]) ? -1 : b));
      assert.ok(Number.isNaN(results[0]!.y[3]!), 'NaN propagates');
      for (const r of results.slice(1)) {
        assert.deepEqual(bits(r.y), bits(results[0]!.y), `${d} forward bits`);
        assert.deepEqual(bits(r.dx), bits(results[0]!.dx), `${d} gradient bits`);
      }
    }
  });

  it('takes empty batches and other dtypes, and refuses a bad direction or rank', async () => {
    await tf.setBackend(FAST_BACKEND);
    assert.deepEqual(cornerPool(tf.zeros([0, 3, 4, 4]) as tf.Tensor4D, 'left').shape, [0, 3, 4, 4]);
    assert.deepEqual(Array.from(cornerPool(tf.tensor4d([1, 5, 2], [1, 1, 3, 1], 'int32'), 'left').dataSync()), [5, 5, 2]);
    assert.throws(() => cornerPool(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, 'up' as CornerPoolDirection), InputError);
    assert.throws(() => cornerPool(tf.zeros([2, 2, 1]) as unknown as tf.Tensor4D, 'top'), InputError);
    assert.throws(() => new CornerPooling({ direction: 'down' as CornerPoolDirection }), InputError);
  });

  it('is a layer that saves and loads under its class name', async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [3, 4, 2] });
    const output = new CornerPooling({ direction: 'bottom', name: 'pool' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.tensor4d(uniform(24, 1), [1, 3, 4, 2]);
    assert.deepEqual((loaded.predict(x) as tf.Tensor).dataSync(), cornerPool(x, 'bottom').dataSync());
    assert.equal((loaded.getLayer('pool') as CornerPooling).direction, 'bottom');
  });
});
