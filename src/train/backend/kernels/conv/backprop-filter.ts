// Conv2DBackpropFilter, which stock tfjs-wasm lacks (so it cannot train), for the few-channel
// convs recordflow's models have.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, paddedExtent, type ConvGeometry } from './geometry.js';
import { forEachTap } from './tap-walk.js';
import { convTiles } from './tiles.js';
import { wideBackpropFilter, wideBackpropFilterPays } from './backprop-filter-wide.js';
import { copyBox4 } from '../data-movement.js';
import { addressOf, asWasmBackend, f32, wasmMemory, type WasmBackendLike } from '../../wasm/heap.js';
import { simdBackpropFilter, simdBackpropFilterSupported } from '../../simd/conv-backprop-filter.js';

/**
 * Conv2DBackpropFilter (the weight gradient of a 2-D convolution), NHWC, dilation 1.
 *
 * The stock wasm backend has no such kernel, so it cannot train; the stock cpu one is the
 * bulk of a cpu training step. Our models have few channels (1..6 in, 3..6 out), so instead
 * of im2col + matmul (which would build a 9x larger copy of the input) we walk the output
 * once and, for each output pixel, add dy ⊗ input-patch into a small accumulator. The
 * inner loops are specialised by closures over fixed channel counts so V8 keeps the
 * accumulator in registers/L1.
 */

/** dW[kh,kw,ci,co] = Σ_b,oy,ox x[b, oy*s-pt+kh, ox*s-pl+kw, ci] · dy[b,oy,ox,co]. */
export function conv2dBackpropFilterInto(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const { kH, kW, inC, outC } = g;
  const acc = new Float64Array(kH * kW * inC * outC);
  forEachTap(g, dy, (xOff, tapOff, dyv) => {
    let a = tapOff;
    for (let ci = 0; ci < inC; ci++) {
      const xv = x[xOff + ci]!;
      for (let co = 0; co < outC; co++) acc[a++]! += xv * dyv[co]!;
    }
  });
  for (let i = 0; i < acc.length; i++) dw[i] = acc[i]!;
}

export const conv2dBackpropFilterConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: tf.Conv2DBackpropFilter,
  backendName,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW') throw new Error('recordflow Conv2DBackpropFilter: only NHWC');
    const g = convGeometry(x.shape, filterShape, strides, pad, dimRoundingMode);
    const out = wasm.makeOutput([...filterShape], 'float32');
    if (!simdBackpropFilterSupported(g)) {
      const wide = wideBackpropFilterPays(g) ? wideBackpropFilter(backend, x, dy, g) : null;
      if (wide !== null) {
        wasm.disposeData(out.dataId, true);
        return wide;
      }
      conv2dBackpropFilterInto(g, f32(wasm, x), f32(wasm, dy), f32(wasm, out));
      return out;
    }
    const memory = wasmMemory(backend);
    const tiles = convTiles(g);
    if (tiles !== null && tiles.every((t) => simdBackpropFilterSupported(t.g))) {
      f32(wasm, out).fill(0); // every tile adds its taps' share
      const [xAddr, dyAddr, dwAddr] = [addressOf(backend, x), addressOf(backend, dy), addressOf(backend, out)];
      const rowFloats = g.kW * g.inC * g.outC;
      for (const t of tiles) {
        const tap = (t.rows.k0 * g.kW + t.cols.k0) * g.inC * g.outC;
        simdBackpropFilter(memory, t.g, g.inH, g.inW, xAddr + t.xOffset, dyAddr + t.pixelOffset, dwAddr + 4 * tap, rowFloats, t.pixelRowSkip, t.pixelImageSkip);
      }
      return out;
    }
    const padded = paddedInput(wasm, x, g);
    try {
      const src = padded ?? x;
      f32(wasm, out).fill(0);
      simdBackpropFilter(memory, g, src.shape[1]!, src.shape[2]!, addressOf(backend, src), addressOf(backend, dy), addressOf(backend, out));
    } finally {
      if (padded !== null) wasm.disposeData(padded.dataId, true);
    }
    return out;
  },
});

/**
 * The input as the conv saw it: zero rows/columns added where the conv padded, so output
 * pixel (oy, ox) reads rows oy·s + kh, columns ox·s + kw. Null when x already is that.
 */
export function paddedInput(wasm: WasmBackendLike, x: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo | null {
  const { H, W, exact } = paddedExtent(g);
  if (exact) return null;
  const out = wasm.makeOutput([g.batch, H, W, g.inC], 'float32');
  const dst = f32(wasm, out);
  const src = f32(wasm, x);
  dst.fill(0);
  copyBox4(src, [g.batch, g.inH, g.inW, g.inC], [0, 0, 0, 0], dst, [g.batch, H, W, g.inC], [0, g.padTop, g.padLeft, 0], [g.batch, g.inH, g.inW, g.inC]);
  return out;
}
