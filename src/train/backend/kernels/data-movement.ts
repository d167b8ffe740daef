// Identity, Cast, Slice, PadV2, per-channel Sum and broadcast arithmetic where stock tfjs-wasm
// copies (or reads back) more than the operation needs.
import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, f32, wasmMemory } from '../wasm/heap.js';
import { channelAffineSimd, channelKernelsSupport, channelSumSimd } from '../simd/batch-norm.js';

/**
 * Data-movement kernels where the stock wasm backend copies more than it must.
 * - Identity: the engine clones every tensor it saves for the backward pass; wasm's Identity
 *   copies the bytes, the cpu backend just shares them. Tensors are immutable, so sharing
 *   the buffer (one more reference on the same data id) is safe.
 * - Cast to the same dtype (the gradients of Multiply/Relu cast float32 to float32): share too.
 * - Slice and PadV2 of float32 rank-4 tensors (ZeroPadding2D and its gradient): wasm's Slice
 *   first copies the WHOLE input out of the heap (readSync); we copy rows between views.
 */
interface RefCounting {
  incRef(dataId: object): void;
}

function share(backend: unknown, x: tf.TensorInfo, dtype = x.dtype): tf.TensorInfo {
  (backend as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype };
}

export const identityConfig = (backendName: string, fallback: tf.KernelFunc): tf.KernelConfig => ({
  kernelName: tf.Identity,
  backendName,
  kernelFunc: (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    return x.dtype === 'string' ? fallback(args) : share(args.backend, x);
  },
});

export const castConfig = (backendName: string, fallback: tf.KernelFunc): tf.KernelConfig => ({
  kernelName: tf.Cast,
  backendName,
  kernelFunc: (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    return dtype === x.dtype && dtype !== 'string' ? share(args.backend, x) : fallback(args);
  },
});

/** Copies the 4-D box [begin, begin+size) of src (shape s) into dst at offset `at` of shape d. */
export function copyBox4(
  src: Float32Array, s: readonly number[], srcBegin: readonly number[],
  dst: Float32Array, d: readonly number[], dstBegin: readonly number[],
  size: readonly number[],
): void {
  const [, sH, sW, sC] = s as [number, number, number, number];
  const [, dH, dW, dC] = d as [number, number, number, number];
  const [nB, nH, nW, nC] = size as [number, number, number, number];
  const rowContiguous = nC === sC && nC === dC;
  // Both views usually sit on the same wasm heap: copyWithin on one whole-heap view is a
  // memmove without a subarray object per row.
  const sameHeap = src.buffer === dst.buffer;
  const heap = sameHeap ? new Float32Array(src.buffer) : null;
  const srcBase = src.byteOffset / 4;
  const dstBase = dst.byteOffset / 4;
  const rowLen = nW * nC;
  for (let b = 0; b < nB; b++) {
    for (let h = 0; h < nH; h++) {
      const so = (((b + srcBegin[0]!) * sH + h + srcBegin[1]!) * sW + srcBegin[2]!) * sC + srcBegin[3]!;
      const dO = (((b + dstBegin[0]!) * dH + h + dstBegin[1]!) * dW + dstBegin[2]!) * dC + dstBegin[3]!;
      if (rowContiguous && heap !== null) {
        heap.copyWithin(dstBase + dO, srcBase + so, srcBase + so + rowLen);
      } else if (rowContiguous) {
        dst.set(src.subarray(so, so + rowLen), dO);
      } else {
        for (let w = 0; w < nW; w++) for (let c = 0; c < nC; c++) dst[dO + w * dC + c] = src[so + w * sC + c]!;
      }
    }
  }
}

export const sliceConfig = (backendName: string, fallback: tf.KernelFunc): tf.KernelConfig => ({
  kernelName: tf.Slice,
  backendName,
  kernelFunc: (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (x.dtype !== 'float32' || x.shape.length !== 4) return fallback(args);
    const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const wasm = asWasmBackend(args.backend);
    const out = wasm.makeOutput(s, 'float32');
    copyBox4(f32(wasm, x), x.shape, b, f32(wasm, out), s, [0, 0, 0, 0], s);
    return out;
  },
});

export const padConfig = (backendName: string, fallback: tf.KernelFunc): tf.KernelConfig => ({
  kernelName: tf.PadV2,
  backendName,
  kernelFunc: (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const { paddings, constantValue } = args.attrs as unknown as tf.PadV2Attrs;
    if (x.dtype !== 'float32' || x.shape.length !== 4) return fallback(args);
    const outShape = paddings.map((p, i) => p[0] + x.shape[i]! + p[1]);
    const wasm = asWasmBackend(args.backend);
    const out = wasm.makeOutput(outShape, 'float32');
    const dst = f32(wasm, out);
    dst.fill(constantValue);
    copyBox4(f32(wasm, x), x.shape, [0, 0, 0, 0], dst, outShape, paddings.map((p) => p[0]), x.shape);
    return out;
  },
});

/**
 * Sum over every axis but the last (the bias gradient of each conv, over [0, 1, 2] of NHWC):
 * wasm's Sum first transposes the whole tensor to make the axes innermost; we reduce per
 * channel in place with the SIMD channel sum (float64 between blocks).
 */
export const sumConfig = (backendName: string, fallback: tf.KernelFunc): tf.KernelConfig => ({
  kernelName: tf.Sum,
  backendName,
  kernelFunc: (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
    const C = x.shape[rank - 1]!;
    if (x.dtype !== 'float32' || !leading || !channelKernelsSupport(C)) return fallback(args);
    const wasm = asWasmBackend(args.backend);
    const sums = new Float64Array(C);
    channelSumSimd(wasm, wasmMemory(args.backend), x, C, sums);
    const out = wasm.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), C] : [C], 'float32');
    f32(wasm, out).set(sums);
    return out;
  },
});

/**
 * Add / Sub / Multiply of a float32 NHWC map with a per-channel vector ([C] or [1,..,1,C]),
 * e.g. Conv2DTranspose's bias add: wasm's broadcasting binary op takes ~10x longer than a
 * same-shape one. We run it as the SIMD per-channel affine map y = x·a + k, which gives the
 * same float32 results (x·1 + b = x + b, x·b + 0 = x·b, (−x) + b = b − x).
 */
function channelBroadcast(kernelName: string, backendName: string, fallback: tf.KernelFunc): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
      const isVector = (v: tf.TensorInfo, map: tf.TensorInfo): boolean =>
        map.shape.length >= 2 && v.shape.length <= map.shape.length && v.shape.length >= 1 &&
        v.shape[v.shape.length - 1] === map.shape[map.shape.length - 1] && v.shape.slice(0, -1).every((d) => d === 1);
      const mapFirst = isVector(b, a);
      if (!mapFirst && !isVector(a, b)) return fallback(args);
      const map = mapFirst ? a : b;
      const vec = mapFirst ? b : a;
      const C = map.shape[map.shape.length - 1]!;
      if (!channelKernelsSupport(C) || map.shape.reduce((x, y) => x * y, 1) < 4 * C) return fallback(args);
      const wasm = asWasmBackend(args.backend);
      const values = Array.from(f32(wasm, vec));
      let scale: number[];
      let shift: number[];
      if (kernelName === tf.Multiply) {
        scale = values;
        shift = values.map(() => 0);
      } else if (kernelName === tf.Add) {
        scale = values.map(() => 1);
        shift = values;
      } else {
        // Sub: map − vec, or vec − map.
        scale = values.map(() => (mapFirst ? 1 : -1));
        shift = values.map((v) => (mapFirst ? -v : v));
      }
      const out = wasm.makeOutput([...map.shape], 'float32');
      channelAffineSimd(wasm, wasmMemory(args.backend), map, C, Float64Array.from(scale), Float64Array.from(shift), out);
      return out;
    },
  };
}

export function channelBroadcastConfigs(backendName: string, stock: (kernelName: string) => tf.KernelFunc): tf.KernelConfig[] {
  return [tf.Add, tf.Sub, tf.Multiply].map((name) => channelBroadcast(name, backendName, stock(name)));
}
