// Conv2D/FusedConv2D for few channels through the generated SIMD conv: XNNPACK pads channels to
// 8-wide tiles and wastes over half its arithmetic on 3- and 5-channel layers.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry } from './geometry.js';
import { paddedInput } from './backprop-filter.js';
import { addressOf, asWasmBackend, f32, wasmMemory, type WasmBackendLike } from '../../wasm/heap.js';
import { convForwardScratch, simdConvForward, simdConvForwardSupported } from '../../simd/conv-forward.js';
import { arrangeKernel } from '../../simd/output-walk.js';
import { convTiles, type Tile } from './tiles.js';

/**
 * Conv2D and FusedConv2D (bias, no activation: how our conv layers call it) through the SIMD
 * forward kernel (simd/conv-forward.ts) for small channel counts; everything else (dilation,
 * fused activations, NCHW, wide channels) goes to the stock wasm kernel.
 */

/** y = conv(x, w) (+ bias) with w given as W[kh][kw][ci][co] floats, padding as g says. */
export function convForwardSimd(
  wasm: WasmBackendLike, backend: unknown, x: tf.TensorInfo, g: ConvGeometry, w: Float32Array, bias: ArrayLike<number> | null,
): tf.TensorInfo {
  const out = wasm.makeOutput([g.batch, g.outH, g.outW, g.outC], 'float32');
  const tiles = convTiles(g);
  if (tiles !== null && tiles.every((t) => simdConvForwardSupported(t.g))) {
    const yAddr = addressOf(backend, out);
    forwardTiles(wasm, backend, g, tiles, w, bias, addressOf(backend, x), (t) => [yAddr + t.pixelOffset, t.pixelRowSkip, t.pixelImageSkip], g.outC);
    return out;
  }
  const scratch = convForwardScratch(g);
  const wt = wasm.makeOutput([scratch.weights + scratch.bias], 'float32');
  const padded = paddedInput(wasm, x, g);
  try {
    const src = padded ?? x;
    // Views only after the last allocation (a heap growth detaches older ones).
    const block = f32(wasm, wt);
    arrangeKernel(g, w, block.subarray(0, scratch.weights));
    setBias(block.subarray(scratch.weights), bias);
    const wtAddr = addressOf(backend, wt);
    simdConvForward(wasmMemory(backend), g, src.shape[1]!, src.shape[2]!, addressOf(backend, src), addressOf(backend, out), wtAddr, wtAddr + 4 * scratch.weights);
    return out;
  } finally {
    wasm.disposeData(wt.dataId, true);
    if (padded !== null) wasm.disposeData(padded.dataId, true);
  }
}

/**
 * Runs the SIMD forward conv of g tile by tile (kernels/conv/tiles.ts: padding handled by each tile's
 * sub-kernel over x in place). `place(t)` gives the tile's first output byte address and the
 * bytes its walk skips after each row and image; output pixels are `yPixelFloats` apart.
 */
export function forwardTiles(
  wasm: WasmBackendLike, backend: unknown, g: ConvGeometry, tiles: Tile[], w: Float32Array, bias: ArrayLike<number> | null, xAddr: number,
  place: (t: Tile) => [number, number, number], yPixelFloats: number,
): void {
  const sizes = tiles.map((t) => convForwardScratch(t.g).weights);
  const biasFloats = convForwardScratch(g).bias;
  const scratch = wasm.makeOutput([sizes.reduce((a, b) => a + b, biasFloats)], 'float32');
  try {
    const block = f32(wasm, scratch);
    setBias(block.subarray(0, biasFloats), bias);
    const sAddr = addressOf(backend, scratch);
    let at = biasFloats;
    tiles.forEach((t, k) => {
      arrangeKernel(t.g, w, block.subarray(at, at + sizes[k]!), t.rows.k0, t.cols.k0, g.kW);
      const [yAddr, rowSkip, imageSkip] = place(t);
      simdConvForward(wasmMemory(backend), t.g, g.inH, g.inW, xAddr + t.xOffset, yAddr, sAddr + 4 * at, sAddr, rowSkip, imageSkip, yPixelFloats);
      at += sizes[k]!;
    });
  } finally {
    wasm.disposeData(scratch.dataId, true);
  }
}

function setBias(block: Float32Array, bias: ArrayLike<number> | null): void {
  block.fill(0);
  if (bias !== null) block.set(bias);
}

interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: string;
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/** The geometry when the SIMD kernel can run this conv, else null. */
function simdGeometry(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: ConvAttrs): ConvGeometry | null {
  const dilations = attrs.dilations ?? 1;
  const unitDilation = Array.isArray(dilations) ? dilations.every((d) => d === 1) : dilations === 1;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || !unitDilation) return null;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return null;
  if (attrs.activation !== undefined && attrs.activation !== 'linear') return null;
  const g = convGeometry(x.shape, filter.shape, attrs.strides, attrs.pad, attrs.dimRoundingMode);
  return simdConvForwardSupported(g) ? g : null;
}

function convConfig(kernelName: string, backendName: string, fallback: tf.KernelFunc): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: (args) => {
      const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
      const g = simdGeometry(x!, filter!, args.attrs as unknown as ConvAttrs);
      const biasOk = bias == null || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === filter!.shape[3]);
      if (g === null || !biasOk || preluActivationWeights != null) return fallback(args);
      const wasm = asWasmBackend(args.backend);
      // Copies: convForwardSimd allocates, which may grow the heap and detach these views.
      const w = f32(wasm, filter!).slice();
      return convForwardSimd(wasm, args.backend, x!, g, w, bias == null ? null : f32(wasm, bias).slice());
    },
  };
}

export function convForwardConfigs(backendName: string, stock: (kernelName: string) => tf.KernelFunc): tf.KernelConfig[] {
  return [tf.Conv2D, tf.FusedConv2D].map((name) => convConfig(name, backendName, stock(name)));
}
