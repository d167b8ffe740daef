// ReLU's gradient as one masked SIMD kernel instead of tfjs-core's three.
import * as tf from '@tensorflow/tfjs';
import { addressOf, asWasmBackend, f32, wasmMemory } from '../wasm/heap.js';
import { loopOver } from '../simd/loop.js';
import { assembleModule, instantiate, type WasmFunc } from '../wasm/assembler.js';

/**
 * ReLU's gradient as one kernel: dx = dy where x > 0, else 0. tfjs-core's gradient is
 * mul(dy, cast(step(x))) — three kernels and two extra passes over each feature map. The
 * gradient registry is global, so the replacement only takes the fused route on the fast
 * backend and calls tfjs's own gradient everywhere else. (The results differ from stock
 * only in the sign of zeros and when dy is not finite: dy·0 vs a masked 0.)
 */
export const RELU_GRAD = 'RecordflowReluGrad';

const source: WasmFunc = {
  name: 'reluGrad',
  params: [['$dy', 'i32'], ['$x', 'i32'], ['$out', 'i32'], ['$n', 'i32']],
  locals: [['$zero', 'v128']],
  body: `block ${loopOver(['$dy', '$x', '$out'], 1, `
    local.get $out
    local.get $dy v128.load
    local.get $x v128.load local.get $zero f32x4.gt
    v128.and
    v128.store`)} end`,
};

let cached: { memory: WebAssembly.Memory; fn: (...args: number[]) => void } | null = null;

export const reluGradConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: RELU_GRAD,
  backendName,
  kernelFunc: ({ inputs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    const out = wasm.makeOutput([...x.shape], 'float32');
    const n = f32(wasm, x).length;
    const vectors = Math.floor(n / 4);
    const memory = wasmMemory(backend);
    if (cached === null || cached.memory !== memory) cached = { memory, fn: instantiate(assembleModule([source]), memory)['reluGrad']! };
    cached.fn(addressOf(backend, dy), addressOf(backend, x), addressOf(backend, out), vectors);
    const d = f32(wasm, dy);
    const xs = f32(wasm, x);
    const o = f32(wasm, out);
    for (let i = vectors * 4; i < n; i++) o[i] = xs[i]! > 0 ? d[i]! : 0;
    return out;
  },
});
