import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAST_BACKEND, registerFastBackend, registerWasmTrainingKernels } from '../../../src/train/backend/index.js';
import { batchNormTrain } from '../../../src/train/backend/kernels/batch-norm/batch-norm.js';
import { batchNormTrainBackward, batchNormTrainForward } from '../../../src/train/backend/kernels/batch-norm/batch-norm.js';
import { createBackbone } from '../../../src/train/model.js';
import { assertClose, CONVS, on, random, size, values } from './kernel-helpers.js';

describe('recordflow training kernels match stock tfjs', () => {
  before(async () => {
    assert.ok(await registerFastBackend());
  });

  it('Conv2DBackpropFilter (SIMD) equals the stock cpu kernel', async () => {
    for (const [i, c] of CONVS.entries()) {
      const x = random(size(c.x), 10 + i);
      const outShape = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.w as [number, number, number, number], c.s, 1, c.p).outShape;
      const dy = random(size(outShape), 20 + i);
      const run = () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, c.x), dy: tf.tensor(dy, outShape) }, {
          strides: c.s, pad: c.p, dataFormat: 'NHWC', filterShape: c.w,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const [expected] = values(await on('cpu', run));
      const [actual] = values(await on(FAST_BACKEND, run));
      assertClose(actual!, expected!, 1e-5, `dW ${JSON.stringify(c)}`);
    }
  });

  it('Conv2DBackpropFilter of wide convs (one XNNPACK conv over transposed x and dy) equals the stock cpu kernel', async () => {
    const explicit = [[0, 0], [2, 1], [1, 2], [0, 0]] as unknown as 'same';
    const wide: typeof CONVS = [
      { x: [1, 12, 16, 16], w: [3, 3, 16, 16], s: 1, p: 'same' },
      { x: [2, 12, 16, 16], w: [3, 3, 16, 32], s: 2, p: 'same' },
      { x: [2, 6, 8, 32], w: [3, 3, 32, 8], s: 1, p: 'same' },
      { x: [2, 11, 13, 24], w: [3, 3, 24, 12], s: 2, p: 'same' },
      { x: [2, 12, 16, 16], w: [1, 1, 16, 5], s: 1, p: 'same' },
      { x: [2, 13, 17, 16], w: [3, 3, 16, 16], s: 2, p: 'valid' }, // windows reach the end
      { x: [2, 14, 18, 16], w: [3, 3, 16, 16], s: 2, p: 'valid' }, // a remainder row: the scalar loop takes it
      { x: [1, 9, 10, 16], w: [3, 3, 16, 16], s: 1, p: explicit },
    ];
    for (const [i, c] of wide.entries()) {
      const x = random(size(c.x), 210 + i);
      const outShape = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.w as [number, number, number, number], c.s, 1, c.p).outShape;
      const dy = random(size(outShape), 220 + i);
      const run = () =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor(x, c.x), dy: tf.tensor(dy, outShape) }, {
          strides: c.s, pad: c.p, dataFormat: 'NHWC', filterShape: c.w,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
      const [expected] = values(await on('cpu', () => tf.tidy(run)));
      await tf.setBackend(FAST_BACKEND);
      const buffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
      const before = buffers();
      const [actual] = values(tf.tidy(run));
      assert.equal(buffers(), before, 'no heap buffer left behind');
      assertClose(actual!, expected!, 1e-5, `dW ${JSON.stringify(c)}`);
    }
  });

  it('Conv2D and FusedConv2D with bias (SIMD forward) equal the stock cpu kernels', async () => {
    // Explicit padding 2 of a 3x3 kernel leaves border tiles one tap wide: 2 floats, under a
    // vector, so that conv takes the zero-padded-copy route instead of tiles.
    const explicit = [[0, 0], [2, 2], [2, 1], [0, 0]] as unknown as 'same';
    const cases = [...CONVS, { x: [2, 7, 9, 2], w: [3, 3, 2, 3], s: 1, p: explicit }, { x: [1, 8, 10, 4], w: [3, 3, 4, 5], s: 1, p: explicit }];
    for (const [i, c] of cases.entries()) {
      const x = random(size(c.x), 110 + i);
      const w = random(size(c.w), 120 + i);
      const bias = random(c.w[3]!, 130 + i);
      const run = () => {
        const xt = tf.tensor4d(x, c.x as [number, number, number, number]);
        const wt = tf.tensor4d(w, c.w as [number, number, number, number]);
        return [
          tf.conv2d(xt, wt, c.s, c.p),
          tf.fused.conv2d({ x: xt, filter: wt, strides: c.s, pad: c.p, bias: tf.tensor1d(bias) }),
          // A fused activation is not ours: the stock kernel must still get it.
          tf.fused.conv2d({ x: xt, filter: wt, strides: c.s, pad: c.p, bias: tf.tensor1d(bias), activation: 'relu' }),
        ];
      };
      const expected = values(await on('cpu', run));
      const actual = values(await on(FAST_BACKEND, run));
      ['conv2d', 'fused + bias', 'fused + relu'].forEach((n, k) => assertClose(actual[k]!, expected[k]!, 1e-5, `${n} ${JSON.stringify(c)}`));
    }
  });

  it('Conv2DBackpropInput (flipped-kernel conv and SIMD scatter) equals stock', async () => {
    for (const [i, c] of CONVS.entries()) {
      const w = random(size(c.w), 30 + i);
      const outShape = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.w as [number, number, number, number], c.s, 1, c.p).outShape;
      const dy = random(size(outShape), 40 + i);
      const run = () => tf.conv2dTranspose(tf.tensor4d(dy, outShape), tf.tensor4d(w, c.w as [number, number, number, number]), c.x as [number, number, number, number], c.s, c.p);
      const [expected] = values(await on('cpu', run));
      const [stockWasm] = values(await on('wasm', run));
      const [actual] = values(await on(FAST_BACKEND, run));
      assertClose(actual!, expected!, 1e-5, `dx ${JSON.stringify(c)}`);
      assertClose(stockWasm!, expected!, 1e-5, `stock wasm dx ${JSON.stringify(c)}`);
    }
  });

  it('fused batch norm: forward and gradients equal the stock moments + FusedBatchNorm chain', async () => {
    for (const [i, shape] of [[2, 72, 96, 3], [3, 9, 12, 5], [1, 5, 7, 6], [2, 3, 3, 1], [2, 6, 8, 32], [2, 3, 4, 64], [1, 5, 7, 36]].entries()) {
      const C = shape[3]!;
      const x = random(size(shape), 50 + i, 3);
      for (let k = 0; k < x.length; k++) x[k]! += 0.7 * (k % C); // per-channel offsets
      const gamma = random(C, 60 + i);
      const beta = random(C, 70 + i);
      const w = random(size(shape), 80 + i); // loss = Σ w·y, so dy = w
      const stock = () => {
        const [gx, gg, gb] = tf.grads((xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(xt, [0, 1, 2]);
          return tf.sum(tf.mul(tf.batchNorm(xt, mean, variance, b, g, 1e-3), tf.tensor(w, shape)));
        })([tf.tensor(x, shape), tf.tensor(gamma), tf.tensor(beta)]);
        const { mean, variance } = tf.moments(tf.tensor(x, shape), [0, 1, 2]);
        const y = tf.batchNorm(tf.tensor(x, shape), mean, variance, tf.tensor(beta), tf.tensor(gamma), 1e-3);
        return [y, mean, variance, gx!, gg!, gb!];
      };
      const ours = () => {
        const [gx, gg, gb] = tf.grads((xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(batchNormTrain(xt, g, b, 1e-3)[0], tf.tensor(w, shape))),
        )([tf.tensor(x, shape), tf.tensor(gamma), tf.tensor(beta)]);
        const [y, mean, variance] = batchNormTrain(tf.tensor(x, shape), tf.tensor(gamma), tf.tensor(beta), 1e-3);
        return [y, mean, variance, gx!, gg!, gb!];
      };
      const expected = values(await on('wasm', stock));
      const actual = values(await on(FAST_BACKEND, ours));
      const names = ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'];
      names.forEach((n, k) => assertClose(actual[k]!, expected[k]!, 2e-5, `${n} ${JSON.stringify(shape)}`));
      // The plain JS reference kernels agree too.
      const y = new Float32Array(x.length);
      const mean = new Float32Array(C);
      const variance = new Float32Array(C);
      batchNormTrainForward(x, C, gamma, beta, 1e-3, y, mean, variance);
      assertClose(y, expected[0]!, 2e-5, 'js y');
      const dx = new Float32Array(x.length);
      const dg = new Float32Array(C);
      const db = new Float32Array(C);
      batchNormTrainBackward(w, x, C, gamma, mean, variance, 1e-3, dx, dg, db);
      assertClose(dx, expected[3]!, 2e-5, 'js dx');
    }
  });

  it('Slice, PadV2, Identity, same-dtype Cast, per-channel Sum and broadcasts equal stock wasm', async () => {
    const shape = [2, 7, 9, 3];
    const x = random(size(shape), 90);
    const run = () => {
      const t = tf.tensor4d(x, shape as [number, number, number, number]);
      const wide = tf.tensor2d(random(7 * 64, 95), [7, 64]);
      return [
        tf.slice(t, [0, 1, 2, 0], [2, 5, 6, 3]),
        tf.slice(t, [1, 0, 0, 1], [1, 7, 9, 2]),
        tf.pad(t, [[0, 0], [0, 1], [2, 1], [0, 0]], 0.5),
        tf.clone(t),
        tf.cast(t, 'float32'),
        tf.cast(t, 'int32'),
        tf.sum(t, [0, 1, 2]),
        tf.sum(t, [0, 1, 2], true),
        tf.sum(t, [1, 2]),
        tf.add(t, tf.tensor4d([0.5, -1, 2], [1, 1, 1, 3])),
        tf.sub(t, tf.tensor1d([0.5, -1, 2])),
        tf.sub(tf.tensor1d([0.5, -1, 2]), t),
        tf.mul(tf.tensor1d([0.5, -1, 2]), t),
        // Wide "channel" vectors (Dense biases, flattened maps) must not use the SIMD
        // channel path's per-period scratch beyond its size (a heap overrun once).
        tf.add(wide, tf.tensor1d(random(64, 96))),
        tf.mul(tf.reshape(t, [2, 189]), tf.tensor1d(random(189, 97))),
        tf.sum(wide, [0]),
      ];
    };
    const expected = values(await on('wasm', run));
    const actual = values(await on(FAST_BACKEND, run));
    const sums = [6, 7, 8, 15];
    expected.forEach((e, k) => (sums.includes(k) ? assertClose(actual[k]!, e, 1e-6, `sum ${k}`) : assert.deepEqual(actual[k], e, `output ${k}`)));
  });

  it('ReLU gradient (one masked kernel) equals stock', async () => {
    const shape = [2, 5, 7, 3]; // 210 values: a 2-value tail after the SIMD part
    const x = random(size(shape), 160);
    x[3] = 0; // the kink: stock's step(0) = 0
    const dy = random(size(shape), 161);
    const run = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), tf.tensor(dy, shape))))(tf.tensor(x, shape));
    const [expected] = values(await on('wasm', run));
    const [actual] = values(await on(FAST_BACKEND, run));
    assert.deepEqual(Array.from(actual!, (v) => v + 0), Array.from(expected!, (v) => v + 0));
  });

  it('fused Adam equals stock Adam bit for bit over 40 steps (with a learning-rate change)', async () => {
    const shapes = [[3, 3, 6, 3], [5], [64, 4]];
    const run = () => {
      const vars = shapes.map((s, k) => tf.variable(tf.tensor(random(size(s), 100 + k), s)));
      const opt = tf.train.adam(5e-4);
      let held: tf.Tensor[] = [];
      for (let step = 0; step < 40; step++) {
        if (step === 20) (opt as unknown as { learningRate: number }).learningRate = 4.5e-4;
        // Steps 10–14 hold a copy of one variable's moments: shared data takes the
        // per-variable kernel (new outputs) instead of the in-place update.
        if (step === 10) held = [(opt as unknown as { accumulatedFirstMoment: { variable: tf.Variable }[] }).accumulatedFirstMoment[1]!.variable.clone()];
        if (step === 15) tf.dispose(held);
        const grads: Record<string, tf.Tensor> = {};
        vars.forEach((v, k) => (grads[v.name] = tf.tensor(random(v.size, 1000 * step + k, step % 7 === 0 ? 1e-3 : 1), v.shape)));
        opt.applyGradients(grads as unknown as Record<string, tf.Variable>); // typings say Variable; any tensor works
        tf.dispose(Object.values(grads));
      }
      const out = vars.map((v) => v.clone());
      const moments = opt.getWeights().then((ws) => ws.map((w) => w.tensor.dataSync() as Float32Array));
      tf.dispose(vars);
      return { out, moments, opt };
    };
    const stock = await on('wasm', run);
    const stockMoments = await stock.moments;
    const stockValues = values(stock.out);
    stock.opt.dispose();
    const fused = await on(FAST_BACKEND, run);
    const fusedMoments = await fused.moments;
    const fusedValues = values(fused.out);
    fused.opt.dispose();
    fusedValues.forEach((v, k) => assert.deepEqual(v, stockValues[k], `variable ${k}`));
    assert.equal(fusedMoments.length, stockMoments.length);
    fusedMoments.forEach((m, k) => assert.deepEqual(m, stockMoments[k], `optimizer weight ${k}`));
  });

  it('batch 7: fast-path losses equal the wasm backend over 3 steps (and are finite)', async () => {
    const B = 7;
    const xs = random(B * 24 * 32, 17, 1).map((v) => v + 0.5);
    const ys = random(B * 4, 18, 0.5).map((v) => v + 0.5);
    const run = async () => {
      const model = createBackbone({ seed: 1 });
      const optimizer = tf.train.adam(5e-4);
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const x = tf.tensor4d(xs, [B, 24, 32, 1]);
      const y = tf.tensor2d(ys, [B, 4]);
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) losses.push((await model.trainOnBatch(x, y)) as number);
      tf.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
      return losses;
    };
    registerWasmTrainingKernels();
    const reference = await on('wasm', run);
    const fast = await on(FAST_BACKEND, run);
    fast.forEach((l, k) => assert.ok(Number.isFinite(l) && Math.abs(l - reference[k]!) <= 1e-5 * Math.abs(reference[k]!), `loss ${k}: ${l} vs ${reference[k]}`));
  });

  it('a BackBone training step on the fast path matches stock cpu (losses and weights over 3 steps)', async () => {
    const B = 1;
    const xs = random(B * 24 * 32, 7, 1).map((v) => v + 0.5);
    const ys = random(B * 4, 8, 0.5).map((v) => v + 0.5);
    const run = async () => {
      const model = createBackbone({ seed: 11 });
      const optimizer = tf.train.adam(5e-4);
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const x = tf.tensor4d(xs, [B, 24, 32, 1]);
      const y = tf.tensor2d(ys, [B, 4]);
      const losses: number[] = [];
      const kernels = new Set<string>();
      const live: number[] = [];
      for (let step = 0; step < 3; step++) {
        live.push(tf.memory().numTensors);
        const info = await tf.profile(async () => {
          losses.push((await model.trainOnBatch(x, y)) as number);
        });
        for (const k of info.kernels) kernels.add(k.name);
      }
      const weights = model.weights.map((w) => ({ name: w.name, values: w.read().dataSync() as Float32Array }));
      tf.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
      return { losses, weights, kernels, live };
    };
    const stock = await on('cpu', run);
    const fast = await on(FAST_BACKEND, run);
    for (const name of ['RecordflowBatchNormTrain', 'RecordflowBatchNormTrainGrad', 'RecordflowAdamUpdateInPlace', 'RecordflowReluGrad']) {
      assert.ok(fast.kernels.has(name), `fast step ran ${name}`);
    }
    assert.ok(!fast.kernels.has('Tile') && !fast.kernels.has('FusedBatchNorm'), 'the stock batch-norm chain is gone');
    // Saved-for-backward tensors share data instead of copying: no leak from one step to the next.
    assert.equal(fast.live[2], fast.live[1], 'live tensors stay flat across steps');
    fast.losses.forEach((l, k) => assert.ok(Math.abs(l - stock.losses[k]!) <= 1e-5 * Math.abs(stock.losses[k]!), `loss ${k}: ${l} vs ${stock.losses[k]}`));
    assert.equal(fast.weights.length, stock.weights.length);
    fast.weights.forEach((w, k) => {
      // A conv bias right before batch norm has a true gradient of zero (BN removes any
      // per-channel constant); Adam scales its float noise up to ~lr/sqrt(1-β2) per step,
      // so there we can only bound the difference by the steps taken.
      if (/(fe|res)\d_conv\d\/bias/.test(w.name)) {
        for (let i = 0; i < w.values.length; i++) assert.ok(Math.abs(w.values[i]! - stock.weights[k]!.values[i]!) <= 2 * 3 * 3.17 * 5e-4, w.name);
      } else {
        // Moving means inherit 1% of that bias noise per step, hence the small absolute slack.
        for (let i = 0; i < w.values.length; i++) {
          const e = stock.weights[k]!.values[i]!;
          assert.ok(Math.abs(w.values[i]! - e) <= 1e-4 * Math.abs(e) + 5e-5, `${w.name}[${i}]: ${w.values[i]} vs ${e}`);
        }
      }
    });
  });
});
