import * as tf from '@tensorflow/tfjs';
import { addressOf, asWasmBackend, f32, sizeOf, wasmMemory } from './heap.js';
import { loopOver } from './simd-loop.js';
import { assembleModule, instantiate, type WasmFunc } from './wasm-asm.js';

/**
 * Float32 Relu and same-shape Add as plain SIMD loops. tfjs-wasm's take about 1 ns per float
 * (its binary ops go through a general broadcasting path; Relu through an XNNPACK operator
 * set up per call); a SIMD loop streams at memory speed. Same float32 results (Relu may give
 * +0 where stock gives −0).
 */
const sources: WasmFunc[] = [
  {
    name: 'relu',
    params: [['$x', 'i32'], ['$out', 'i32'], ['$n', 'i32']],
    locals: [['$zero', 'v128']],
    body: `block ${loopOver(['$x', '$out'], 1, 'local.get $out local.get $x v128.load local.get $zero f32x4.max v128.store')} end`,
  },
  {
    name: 'add',
    params: [['$a', 'i32'], ['$b', 'i32'], ['$out', 'i32'], ['$n', 'i32']],
    locals: [],
    body: `block ${loopOver(['$a', '$b', '$out'], 1, 'local.get $out local.get $a v128.load local.get $b v128.load f32x4.add v128.store')} end`,
  },
];

let cached: { memory: WebAssembly.Memory; fns: Record<string, (...args: number[]) => void> } | null = null;

function kernels(memory: WebAssembly.Memory): Record<string, (...args: number[]) => void> {
  if (cached === null || cached.memory !== memory) cached = { memory, fns: instantiate(assembleModule(sources), memory) };
  return cached.fns;
}

export const reluConfig = (backendName: string, fallback: tf.KernelFunc): tf.KernelConfig => ({
  kernelName: tf.Relu,
  backendName,
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return fallback(args);
    const wasm = asWasmBackend(args.backend);
    const out = wasm.makeOutput([...x.shape], 'float32');
    const n = sizeOf(x.shape);
    kernels(wasmMemory(args.backend))['relu']!(addressOf(args.backend, x), addressOf(args.backend, out), n >> 2);
    if (n % 4 !== 0) {
      const [xs, o] = [f32(wasm, x), f32(wasm, out)];
      for (let i = n & ~3; i < n; i++) {
        const v = xs[i]!;
        o[i] = v > 0 || v !== v ? v : 0; // as f32x4.max: NaN stays NaN
      }
    }
    return out;
  },
});

/** Add of two float32 tensors of one shape; anything else (broadcasts) to `fallback`. */
export function sameShapeAdd(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
      return fallback(args);
    }
    const wasm = asWasmBackend(args.backend);
    const out = wasm.makeOutput([...a.shape], 'float32');
    const n = sizeOf(a.shape);
    kernels(wasmMemory(args.backend))['add']!(addressOf(args.backend, a), addressOf(args.backend, b), addressOf(args.backend, out), n >> 2);
    if (n % 4 !== 0) {
      const [as, bs, o] = [f32(wasm, a), f32(wasm, b), f32(wasm, out)];
      for (let i = n & ~3; i < n; i++) o[i] = as[i]! + bs[i]!;
    }
    return out;
  };
}
