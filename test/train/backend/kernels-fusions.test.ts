import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAST_BACKEND, registerFastBackend } from '../../../src/train/backend/index.js';
import { assertClose, on, random, size } from './kernel-helpers.js';

// Fusions across layers on the fast backend, each against the stock gradients on cpu.
describe('fast-backend layer fusions', () => {
  before(async () => {
    assert.ok(await registerFastBackend());
  });

  /** Σ w·model(x) and its gradients for every trainable weight, plus the kernels run. */
  async function gradients(backend: string, build: () => tf.LayersModel, xShape: number[]) {
    return on(backend, async () => {
      const model = build();
      const x = tf.tensor(random(size(xShape), 301), xShape);
      const outShape = [xShape[0]!, ...(model.outputs[0]!.shape.slice(1) as number[])];
      const w = tf.tensor(random(size(outShape), 302), outShape);
      let out: Float32Array[] = [];
      const info = await tf.profile(() => {
        let y: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          y = tf.keep(model.apply(x, { training: true }) as tf.Tensor);
          return tf.sum(tf.mul(y, w)) as tf.Scalar;
        });
        out = [y!, value, ...model.trainableWeights.map((v) => grads[(v.read() as tf.Variable).name]!)].map((t) => t.dataSync() as Float32Array);
        tf.dispose([y!, value, ...Object.values(grads)]);
      });
      tf.dispose([x, w]);
      model.dispose();
      return { out, kernels: info.kernels.map((k) => `${k.name} ${JSON.stringify(k.outputShapes)}`) };
    });
  }

  const bnThenRelu = (alsoRaw: boolean) => () => {
    const input = tf.input({ shape: [5, 7, 2] });
    const seeded = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.5 });
    // No conv bias: its true gradient through batch norm is 0, only float noise to compare.
    const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: seeded(5) }).apply(input) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ gammaInitializer: seeded(6), betaInitializer: seeded(7) }).apply(conv) as tf.SymbolicTensor;
    const relu = tf.layers.activation({ activation: 'relu' }).apply(bn) as tf.SymbolicTensor;
    // alsoRaw: the batch norm's output feeds the ReLU and, directly, an add.
    const out = alsoRaw ? (tf.layers.add().apply([relu, bn]) as tf.SymbolicTensor) : relu;
    return tf.model({ inputs: input, outputs: out });
  };

  it('batch norm + ReLU: the ReLU gradient folded into the batch-norm backward kernel', async () => {
    for (const alsoRaw of [false, true]) {
      const xShape = [3, 5, 7, 2];
      const expected = await gradients('cpu', bnThenRelu(alsoRaw), xShape);
      const actual = await gradients(FAST_BACKEND, bnThenRelu(alsoRaw), xShape);
      expected.out.forEach((e, k) => assertClose(actual.out[k]!, e, 2e-5, `alsoRaw ${alsoRaw}: output ${k}`));
      assert.ok(!actual.kernels.some((k) => k.startsWith('RecordflowReluGrad')), 'no separate ReLU gradient');
    }
  });

  it("ZeroPadding2D + 'valid' Conv2D: the conv pads itself, its input gradient needs no Slice", async () => {
    const build = () => {
      const input = tf.input({ shape: [9, 11, 3] });
      const seeded = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.5 });
      // A conv before the padding needs the gradient that flows back through it.
      const first = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: seeded(10) }).apply(input) as tf.SymbolicTensor;
      const padded = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(first) as tf.SymbolicTensor;
      const conv = tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, kernelInitializer: seeded(8), biasInitializer: seeded(9) }).apply(padded) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: conv });
    };
    const xShape = [2, 9, 11, 3];
    const expected = await gradients('cpu', build, xShape);
    const actual = await gradients(FAST_BACKEND, build, xShape);
    expected.out.forEach((e, k) => assertClose(actual.out[k]!, e, 2e-6, `output ${k}`));
    assert.ok(!actual.kernels.some((k) => k.startsWith('Slice')), `no Slice: ${JSON.stringify(actual.kernels)}`);
  });

  const upsampleThenConv = (kernel: number, stride: number, convStrides = 1, inputs = 1) => () => {
    const input = tf.input({ shape: [5, 7, inputs] });
    const seeded = (seed: number) => tf.initializers.randomNormal({ seed, stddev: 0.5 });
    const up = tf.layers
      .conv2dTranspose({ filters: 6, kernelSize: kernel, strides: stride, padding: 'same', kernelInitializer: seeded(1), biasInitializer: seeded(2) })
      .apply(input) as tf.SymbolicTensor;
    const conv = tf.layers
      .conv2d({ filters: 3, kernelSize: 3, strides: convStrides, padding: 'same', kernelInitializer: seeded(3), biasInitializer: seeded(4) })
      .apply(up) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: conv });
  };

  it('upsampling Conv2DTranspose + Conv2D: output from the small input, all four weight gradients from one correlation', async () => {
    // [case, fused pair, Conv2DBackpropInput launches: the stock transposed conv's forward and
    // the conv's input gradient; a kernel-equals-stride transposed conv runs as one upsample launch]
    for (const [name, build, fused, inputGradientLaunches] of [
      ['stride 3, one input channel (the BackBone)', upsampleThenConv(3, 3), true, 0],
      ['stride 2, two input channels', upsampleThenConv(2, 2, 1, 2), true, 0],
      ['overlapping windows (kernel 3, stride 2): stock', upsampleThenConv(3, 2), false, 2],
      ['strided conv after it: stock conv, gradient through the upsample', upsampleThenConv(3, 3, 2), false, 1],
    ] as const) {
      const inputs = name.includes('two') ? 2 : 1;
      const xShape = [2, 5, 7, inputs];
      const expected = await gradients('cpu', build, xShape);
      const actual = await gradients(FAST_BACKEND, build, xShape);
      expected.out.forEach((e, k) => assertClose(actual.out[k]!, e, 2e-6, `${name}: output ${k}`));
      // Fused: no input gradient of the conv (the largest map) and one correlation instead.
      const inputGradients = actual.kernels.filter((k) => k.startsWith('Conv2DBackpropInput')).length;
      assert.equal(inputGradients, inputGradientLaunches, `${name}: Conv2DBackpropInput launches ${JSON.stringify(actual.kernels)}`);
      assert.equal(actual.kernels.some((k) => k.startsWith('RecordflowUpsampleConvForward')), fused, `${name}: fused forward`);
    }
  });
});
