import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAST_BACKEND, registerFastBackend } from '../../../src/train/backend/index.js';
import { bands, convTiles } from '../../../src/train/backend/kernels/conv/tiles.js';
import { assertClose, on, random, size, values } from './kernel-helpers.js';

// The fast backend's launch savers (matmul blocks, the fused L2 penalty, shared saves) and
// the conv tile planner, each against stock tfjs.
describe('fast-backend kernels that cut launches and copies', () => {
  before(async () => {
    assert.ok(await registerFastBackend());
  });

  it('BatchMatMul (SIMD blocks, A read through strides, Bᵀ materialised) equals stock', async () => {
    // [a shape, b shape, transposeA, transposeB]: the Dense layers' three products, the box
    // layer's, a batched one, wider than one 32-float block, and an output width that is
    // not a multiple of 4 (stock kernel).
    const cases: [number[], number[], boolean, boolean][] = [
      [[7, 324], [324, 64], false, false], [[7, 324], [7, 64], true, false], [[7, 64], [324, 64], false, true],
      [[7, 64], [64, 4], false, false], [[2, 5, 9], [2, 9, 40], false, false], [[2, 9, 5], [2, 44, 9], true, true],
      [[3, 6], [6, 3], false, false],
      // A·Bᵀ with a long B, batched, widths not multiples of 4 (Cᵀ = B·Aᵀ route)
      [[2, 3, 40], [2, 10, 40], false, true],
    ];
    for (const [i, [as, bs, ta, tb]] of cases.entries()) {
      const a = random(size(as), 190 + i);
      const b = random(size(bs), 200 + i);
      const run = () => tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb);
      const [expected] = values(await on('cpu', run));
      const [actual] = values(await on(FAST_BACKEND, run));
      assertClose(actual!, expected!, 1e-5, `matMul ${JSON.stringify([as, bs, ta, tb])}`);
    }
  });

  it('L2 penalty and its gradient (one kernel each) equal stock L1L2; other regularizers stay stock', async () => {
    const shape = [3, 3, 5, 3];
    const w = random(size(shape), 170, 0.4);
    const run = () => {
      const regs = [tf.regularizers.l2({ l2: 1e-3 }), tf.regularizers.l1l2({ l1: 1e-2, l2: 1e-3 }), tf.regularizers.l1({ l1: 1e-2 })];
      return regs.flatMap((r) => {
        const { value, grads } = tf.valueAndGrads((t: tf.Tensor) => tf.mul(r.apply(t), 3))([tf.tensor(w, shape)]);
        return [value, grads[0]!];
      });
    };
    const expected = values(await on('cpu', run));
    const actual = values(await on(FAST_BACKEND, run));
    expected.forEach((e, k) => assertClose(actual[k]!, e, 1e-6, `output ${k}`));
    assert.equal(actual[0]!.length, 1);
    await tf.setBackend(FAST_BACKEND);
    const info = await tf.profile(() => tf.dispose(tf.grad((t: tf.Tensor) => tf.regularizers.l2({ l2: 1e-3 }).apply(t))(tf.tensor(w, shape))));
    assert.deepEqual(info.kernels.map((k) => k.name), ['RecordflowL2Penalties', 'RecordflowL2PenaltiesGrad']);
  });

  it("a model's L2 penalties (calculateLosses) take one launch, their gradients one; other regularizers stay stock", async () => {
    const build = () => {
      const input = tf.input({ shape: [6, 7, 2] });
      const conv = (filters: number, regularizer: ReturnType<typeof tf.regularizers.l2>, seed: number) =>
        tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelRegularizer: regularizer, kernelInitializer: tf.initializers.glorotUniform({ seed }) });
      let x = conv(3, tf.regularizers.l2({ l2: 1e-3 }), 1).apply(input) as tf.SymbolicTensor;
      x = conv(4, tf.regularizers.l1l2({ l1: 1e-2, l2: 1e-3 }), 2).apply(x) as tf.SymbolicTensor;
      x = conv(2, tf.regularizers.l2({ l2: 5e-2 }), 3).apply(x) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: x });
    };
    const run = async () => {
      const model = build();
      const calc = () => (model as unknown as { calculateLosses(): tf.Scalar[] }).calculateLosses();
      let kernels: string[] = [];
      let out: Float32Array[] = [];
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => tf.addN(calc()) as tf.Scalar);
        const kernelGrads = model.trainableWeights.map((w) => grads[(w.read() as tf.Variable).name]).filter((g) => g !== undefined);
        assert.equal(kernelGrads.length, 3, 'a gradient for each conv kernel');
        out = [value, ...kernelGrads].map((t) => t.dataSync() as Float32Array);
        tf.dispose([value, ...Object.values(grads)]);
      });
      kernels = info.kernels.map((k) => k.name);
      model.dispose();
      return { out, kernels };
    };
    const expected = await on('cpu', run);
    const actual = await on(FAST_BACKEND, run);
    expected.out.forEach((e, k) => assertClose(actual.out[k]!, e, 1e-6, `output ${k}`));
    const count = (name: string) => actual.kernels.filter((k) => k === name).length;
    assert.deepEqual([count('RecordflowL2Penalties'), count('RecordflowL2PenaltiesGrad')], [1, 1]);
  });

  it('tensors saved for the backward pass share data: no Identity launches, same gradients, no leaks', async () => {
    const x = random(2 * 9 * 11 * 4, 180);
    const w = random(3 * 3 * 4 * 3, 181);
    const b = random(3, 182);
    // tf.fused.conv2d saves through customGrad (engine.clone), tf.mul through the kernel path.
    const loss = (xt: tf.Tensor, wt: tf.Tensor) =>
      tf.sum(tf.mul(tf.fused.conv2d({ x: xt as tf.Tensor4D, filter: wt as tf.Tensor4D, strides: 1, pad: 'same', bias: tf.tensor1d(b) }), 0.5));
    const run = () => tf.tidy(() => tf.grads(loss)([tf.tensor4d(x, [2, 9, 11, 4]), tf.tensor4d(w, [3, 3, 4, 3])]));
    const expected = values(await on('cpu', run));
    await tf.setBackend(FAST_BACKEND);
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => tf.dispose(run()));
    assert.equal(tf.memory().numTensors, before, 'saved handles are released');
    assert.deepEqual(info.kernels.filter((k) => k.name === 'Identity'), []);
    const actual = values(run());
    expected.forEach((e, k) => assertClose(actual[k]!, e, 1e-5, `gradient ${k}`));
  });
});

describe('conv tiles (padding without a padded copy)', () => {
  it('split a padded conv into bands of outputs whose windows keep the same taps', () => {
    // 'same' 3x3, stride 1, 5 outputs: first output loses tap 0, last loses tap 2.
    assert.deepEqual(bands(5, 1, 1, 5, 3), [
      { from: 0, to: 1, k0: 1, k1: 3 },
      { from: 1, to: 4, k0: 0, k1: 3 },
      { from: 4, to: 5, k0: 0, k1: 2 },
    ]);
    // 'valid' stride 2: one band, all taps.
    assert.deepEqual(bands(36, 2, 0, 73, 3), [{ from: 0, to: 36, k0: 0, k1: 3 }]);
    const g = { batch: 2, inH: 5, inW: 6, inC: 3, outH: 5, outW: 6, outC: 4, kH: 3, kW: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1 };
    const tiles = convTiles(g)!;
    assert.equal(tiles.length, 9);
    assert.equal(tiles.reduce((n, t) => n + t.g.outH * t.g.outW, 0), 5 * 6, 'tiles cover every output pixel once');
    const corner = tiles[0]!;
    assert.deepEqual([corner.g.kH, corner.g.kW, corner.xOffset, corner.pixelOffset], [2, 2, 0, 0]);
    assert.equal(corner.pixelRowSkip, (6 - 1) * 4 * 4);
    assert.equal(corner.pixelImageSkip, (5 - 1) * 6 * 4 * 4);
    // A one-tap-wide border of a 1-channel input is under a vector: no tiles.
    assert.equal(convTiles({ ...g, inC: 1 }), null);
  });
});
