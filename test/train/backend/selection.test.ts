import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FAST_BACKEND, FAST_TRAINING_KERNELS, STOCK_TRAINING_KERNELS, UnknownBackendError, selectBackend } from '../../../src/train/backend/index.js';
import { createBackbone } from '../../../src/train/model.js';

const failing = async (specifier: string): Promise<unknown> => {
  throw new Error(`Cannot find package '${specifier}'`);
};

/** A stand-in for tfjs-node: registers a 'tensorflow' backend (a fresh cpu backend instance). */
function fakeNative(options: { withKernels: boolean; gpu?: boolean }) {
  return async (): Promise<unknown> => {
    const CpuBackend = tf.findBackend('cpu')!.constructor as new () => tf.KernelBackend;
    if (options.withKernels) {
      for (const k of tf.getKernelsForBackend('cpu')) {
        if (tf.getKernel(k.kernelName, 'tensorflow') === undefined) tf.registerKernel({ ...k, backendName: 'tensorflow' });
      }
    }
    tf.registerBackend('tensorflow', () => Object.assign(new CpuBackend(), { isUsingGpuDevice: options.gpu ?? false }), 0);
    return {};
  };
}

function removeFakeNative(): void {
  if (tf.engine().registryFactory['tensorflow'] !== undefined) tf.removeBackend('tensorflow');
  for (const k of tf.getKernelsForBackend('tensorflow')) tf.unregisterKernel(k.kernelName, 'tensorflow');
}

describe('selectBackend', () => {
  after(async () => {
    removeFakeNative();
    await tf.setBackend('cpu');
  });

  it('falls back from gpu and node to the fast path, logging why each was skipped', async () => {
    const lines: string[] = [];
    const asked: string[] = [];
    const result = await selectBackend({
      log: (l) => lines.push(l),
      importer: (s) => {
        asked.push(s);
        return failing(s);
      },
    });
    assert.equal(result.name, FAST_BACKEND);
    assert.equal(result.choice, 'fast');
    assert.equal(tf.getBackend(), FAST_BACKEND);
    assert.deepEqual(asked, ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    assert.deepEqual(result.skipped.map((s) => s.name), ['gpu', 'node']);
    assert.match(result.skipped[0]!.reason, /tfjs-node-gpu not loadable: Cannot find package/);
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /skipped gpu/);
    assert.match(lines[1]!, /skipped node/);
    assert.match(lines[2]!, /backend: fast \(tfjs 'recordflow-fast'\)/);
  });

  it('rejects a native backend that lacks training kernels, and a gpu package without a GPU', async () => {
    removeFakeNative();
    const noKernels = await selectBackend({ importer: fakeNative({ withKernels: false }) });
    assert.equal(noKernels.name, FAST_BACKEND);
    assert.match(noKernels.skipped[0]!.reason, /lacks training kernels: .*Conv2DBackpropFilter/);
    removeFakeNative();
    const lines: string[] = [];
    const cpuOnly = await selectBackend({ importer: fakeNative({ withKernels: true, gpu: false }), log: (l) => lines.push(l) });
    // The gpu package loaded but sees no GPU; 'node' reuses its already-registered backend.
    assert.equal(cpuOnly.choice, 'node');
    assert.equal(cpuOnly.name, 'tensorflow');
    assert.match(cpuOnly.skipped[0]!.reason, /no CUDA GPU/);
    removeFakeNative();
    const gpu = await selectBackend({ backend: 'gpu', importer: fakeNative({ withKernels: true, gpu: true }) });
    assert.equal(gpu.choice, 'gpu');
    assert.equal(tf.getBackend(), 'tensorflow');
    removeFakeNative();
  });

  it('honours an explicit choice and fails loudly when it is unavailable', async () => {
    await assert.rejects(selectBackend({ backend: 'gpu', importer: failing }), /no usable training backend \(gpu\): gpu: .*not loadable/);
    const wasm = await selectBackend({ backend: 'wasm' });
    assert.equal(wasm.name, 'wasm');
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'wasm got the kernel it lacks for training');
    assert.equal((await selectBackend({ backend: 'cpu' })).name, 'cpu');
  });

  it('rejects an unknown name with a typed error listing the choices, before trying any backend', async () => {
    await tf.setBackend('cpu');
    const asked: string[] = [];
    const importer = (s: string): Promise<unknown> => (asked.push(s), failing(s));
    await assert.rejects(
      selectBackend({ backend: 'foo' as never, importer }),
      (err: unknown) =>
        err instanceof UnknownBackendError &&
        err.backend === 'foo' &&
        err.message === 'unknown training backend "foo": expected one of auto, gpu, node, fast, wasm, cpu',
    );
    assert.deepEqual(asked, []);
    assert.equal(tf.getBackend(), 'cpu');
  });

  it('lists every kernel a BackBone training step dispatches (stock and fast paths)', async () => {
    for (const [backend, list] of [['fast', FAST_TRAINING_KERNELS], ['cpu', STOCK_TRAINING_KERNELS]] as const) {
      await selectBackend({ backend, importer: failing });
      const model = createBackbone({ seed: 3 });
      const optimizer = tf.train.adam(5e-4);
      model.compile({ optimizer, loss: 'meanSquaredError' });
      const x = tf.randomUniform([1, 24, 32, 1], 0, 1, 'float32', 1);
      const y = tf.randomUniform([1, 4], 0, 1, 'float32', 2);
      const info = await tf.profile(async () => {
        await model.trainOnBatch(x, y);
      });
      const used = new Set(info.kernels.map((k) => k.name).filter((n) => !n.endsWith('__op')));
      const unlisted = [...used].filter((n) => !list.includes(n));
      assert.deepEqual(unlisted, [], `${backend}: kernels used but not checked`);
      tf.dispose([x, y]);
      model.dispose();
      optimizer.dispose();
    }
  });
});
