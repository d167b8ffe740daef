// SeededDropout as one kernel that hashes its mask in place: reproducible dropout without drawing
// or storing a random tensor.
import * as tf from '@tensorflow/tfjs';
import { applyDropoutMask, dropoutMultipliers, keepScale, keepThreshold, WEYL } from '../../dropout-mask.js';
import { addressOf, asWasmBackend, f32, wasmMemory } from '../wasm/heap.js';
import { loopOver } from '../simd/loop.js';
import { assembleModule, instantiate, type WasmFunc } from '../wasm/assembler.js';

/**
 * SeededDropout as one kernel: y = x · multiplier(key, i), the mask hashed from (key, element
 * index) in the same pass (dropout-mask.ts). tf.dropout drew a uniform tensor in JS (~270k
 * numbers a BackBone step, the largest single cost of a fast step) and then ran four more
 * kernels over it. Its gradient is the same kernel on dy with the same key: the mask is
 * recomputed, never stored. Backends without the kernel take the JS mask and a plain Multiply,
 * which gives the same bits (float32 x · {scale, 0}).
 */
export const SEEDED_DROPOUT = 'RecordflowSeededDropout';

export interface SeededDropoutAttrs {
  rate: number;
  key: number;
}

const MIX = (h: string): string => `
  local.get ${h} local.get ${h} i32.const 16 i32x4.shr_u v128.xor local.get $m1 i32x4.mul local.tee ${h}
  local.get ${h} i32.const 15 i32x4.shr_u v128.xor local.get $m2 i32x4.mul local.tee ${h}
  local.get ${h} i32.const 16 i32x4.shr_u v128.xor local.set ${h}`;

const source: WasmFunc = {
  name: 'seededDropout',
  params: [['$x', 'i32'], ['$out', 'i32'], ['$n', 'i32'], ['$key', 'i32'], ['$threshold', 'i32'], ['$scale', 'f32']],
  locals: [['$w', 'v128'], ['$step', 'v128'], ['$t', 'v128'], ['$s', 'v128'], ['$m1', 'v128'], ['$m2', 'v128'], ['$h', 'v128']],
  body: `
    ;; $w = key + i·φ for lanes i = 0..3, advanced by 4φ per vector
    local.get $key i32x4.splat
    local.get $key i32.const ${WEYL | 0} i32.add i32x4.replace_lane 1
    local.get $key i32.const ${Math.imul(2, WEYL)} i32.add i32x4.replace_lane 2
    local.get $key i32.const ${Math.imul(3, WEYL)} i32.add i32x4.replace_lane 3 local.set $w
    i32.const ${Math.imul(4, WEYL)} i32x4.splat local.set $step
    local.get $threshold i32x4.splat local.set $t
    local.get $scale f32x4.splat local.set $s
    i32.const ${0x7feb352d} i32x4.splat local.set $m1
    i32.const ${0x846ca68b | 0} i32x4.splat local.set $m2
    block ${loopOver(['$x', '$out'], 1, `
      local.get $w local.set $h
      ${MIX('$h')}
      local.get $out
      local.get $x v128.load
      local.get $h local.get $t i32x4.ge_u local.get $s v128.and
      f32x4.mul
      v128.store
      local.get $w local.get $step i32x4.add local.set $w`)} end`,
};

let cached: { memory: WebAssembly.Memory; fn: (...args: number[]) => void } | null = null;

function simdSeededDropout(memory: WebAssembly.Memory): (...args: number[]) => void {
  if (cached === null || cached.memory !== memory) cached = { memory, fn: instantiate(assembleModule([source]), memory)['seededDropout']! };
  return cached.fn;
}

export const seededDropoutConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: SEEDED_DROPOUT,
  backendName,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { x } = inputs as { x: tf.TensorInfo };
    const { rate, key } = attrs as unknown as SeededDropoutAttrs;
    const out = wasm.makeOutput([...x.shape], 'float32');
    const n = f32(wasm, x).length;
    const vectors = n >> 2;
    if (vectors > 0) {
      simdSeededDropout(wasmMemory(backend))(
        addressOf(backend, x), addressOf(backend, out), vectors, key, keepThreshold(rate), keepScale(rate),
      );
    }
    if (vectors * 4 < n) applyDropoutMask(f32(wasm, x), f32(wasm, out), key, rate, vectors * 4, n);
    return out;
  },
});

/** dx = dy · the same mask: the kernel again with the forward call's attributes. */
export const seededDropoutGradient: tf.GradConfig = {
  kernelName: SEEDED_DROPOUT,
  inputsToSave: [],
  gradFunc: (dy, _saved, attrs) => ({
    x: () => tf.engine().runKernel(SEEDED_DROPOUT, { x: dy as tf.Tensor }, attrs as tf.NamedAttrMap) as tf.Tensor,
  }),
};

/**
 * Inverted dropout of x with the mask of `key` (float32 x). One kernel where the backend has
 * it (the fast backend), otherwise x times the JS multipliers (same bits).
 */
export function seededDropout(x: tf.Tensor, rate: number, key: number): tf.Tensor {
  if (x.dtype === 'float32' && tf.getKernel(SEEDED_DROPOUT, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(SEEDED_DROPOUT, { x }, { rate, key } as unknown as tf.NamedAttrMap) as tf.Tensor;
  }
  return tf.tidy(() => {
    const input = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    return tf.mul(input, tf.tensor(dropoutMultipliers(key, rate, x.size), x.shape, 'float32'));
  });
}
