// Conv2DBackpropInput (the input gradient, and Conv2DTranspose's forward pass), faster than stock
// tfjs-wasm's by reusing the SIMD forward conv per stride phase.
import * as tf from '@tensorflow/tfjs';
import { convGeometry, paddedExtent, type ConvGeometry } from './geometry.js';
import { forEachTap } from './tap-walk.js';
import { copyBox4 } from '../data-movement.js';
import { addressOf, asWasmBackend, f32, wasmMemory, type WasmBackendLike } from '../../wasm/heap.js';
import { simdBackpropInput, simdBackpropInputSupported } from '../../simd/conv-backprop-input.js';
import { arrangeKernel, vectorsPerPatch } from '../../simd/output-walk.js';
import { convTiles } from './tiles.js';
import { forwardTiles } from './forward.js';
import { simdConvForwardSupported } from '../../simd/conv-forward.js';

/**
 * Conv2DBackpropInput (the input gradient of a convolution, and the forward pass of
 * Conv2DTranspose), NHWC, dilation 1.
 *
 * Stride 1: a transposed convolution is a plain convolution of dy with the kernel rotated
 * by 180° and its in/out channels swapped, padded by (k − 1 − pad). We build that kernel
 * (tiny) and run the backend's own Conv2D (on the fast backend our SIMD conv, forward.ts;
 * XNNPACK for shapes it does not take), far faster than the stock wasm Conv2DBackpropInput.
 * Stride > 1: each stride phase of dx is such a convolution of dy with some of the taps
 * (phaseGather, below), written straight to its pixels; where the SIMD kernel cannot take a
 * phase (patches under 4 floats, e.g. the stride-3 Conv2DTranspose forward with one input
 * channel), a SIMD scatter (simd/conv-backprop-input.ts); else dy spread out with (stride − 1)
 * zeros between pixels ("zero stuffing") as a stride-1 case. `scatterBackpropInput` (every dy
 * pixel adds W·dy into the input pixels its window covered) is the reference and the fallback
 * for geometries the padding trick cannot express.
 */
export function scatterBackpropInput(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { inC, outC } = g;
  dx.fill(0);
  forEachTap(g, dy, (xOff, tapOff, dyv) => {
    let wOff = tapOff;
    for (let ci = 0; ci < inC; ci++) {
      let s = 0;
      for (let co = 0; co < outC; co++) s += w[wOff++]! * dyv[co]!;
      dx[xOff + ci]! += s;
    }
  });
}

/** W[kh,kw,ci,co] → W'[kH-1-kh, kW-1-kw, co, ci]. */
export function flipKernel(w: Float32Array, kH: number, kW: number, inC: number, outC: number, out: Float32Array): void {
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const src = (kh * kW + kw) * inC * outC;
      const dst = ((kH - 1 - kh) * kW + (kW - 1 - kw)) * outC * inC;
      for (let ci = 0; ci < inC; ci++) for (let co = 0; co < outC; co++) out[dst + co * inC + ci] = w[src + ci * outC + co]!;
    }
  }
}

export const conv2dBackpropInputConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: tf.Conv2DBackpropInput,
  backendName,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat === 'NCHW') throw new Error('recordflow Conv2DBackpropInput: only NHWC');
    const g = convGeometry(inputShape, filter.shape, strides, pad, dimRoundingMode);
    if (g.strideH > 1 || g.strideW > 1) {
      const gathered = phaseGather(wasm, backend, dy, filter, g, inputShape);
      if (gathered !== null) return gathered;
      if (simdBackpropInputSupported(g)) return scatterSimd(wasm, backend, dy, filter, g, inputShape);
    }
    const conv = tf.getKernel(tf.Conv2D, backendName);
    if (conv === undefined) throw new Error(`recordflow Conv2DBackpropInput: no Conv2D on ${backendName}`);
    const flipped = wasm.makeOutput([g.kH, g.kW, g.outC, g.inC], 'float32');
    // Strided (shapes the SIMD scatter does not take): spread dy out with (stride − 1) zeros
    // between pixels, then it is a stride-1 case.
    const stuffed = g.strideH === 1 && g.strideW === 1 ? null : zeroStuff(wasm, dy, g);
    try {
      flipKernel(f32(wasm, filter), g.kH, g.kW, g.inC, g.outC, f32(wasm, flipped));
      const src = stuffed ?? dy;
      const H = src.shape[1]!;
      const W = src.shape[2]!;
      // The forward conv covered input rows [−padTop, −padTop + (H−1) + kH−1]; the
      // transposed one pads dy so each input pixel sees every tap that touched it.
      const top = g.kH - 1 - g.padTop;
      const left = g.kW - 1 - g.padLeft;
      const bottom = g.inH - (H + top - g.kH + 1);
      const right = g.inW - (W + left - g.kW + 1);
      if (top < 0 || left < 0 || bottom < 0 || right < 0) {
        const out = wasm.makeOutput([...inputShape], 'float32');
        scatterBackpropInput(g, f32(wasm, dy), f32(wasm, filter), f32(wasm, out));
        return out;
      }
      return conv.kernelFunc({
        inputs: { x: src, filter: flipped },
        attrs: {
          strides: [1, 1],
          pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
          dataFormat: 'NHWC',
          dilations: [1, 1],
        } as unknown as tf.NamedAttrMap,
        backend,
      }) as tf.TensorInfo;
    } finally {
      wasm.disposeData(flipped.dataId, true);
      if (stuffed !== null) wasm.disposeData(stuffed.dataId, true);
    }
  },
});

/** dy with (stride − 1) zero rows/columns between its pixels: [B, (outH−1)·sH+1, (outW−1)·sW+1, C]. */
function zeroStuff(wasm: WasmBackendLike, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const H = (g.outH - 1) * g.strideH + 1;
  const W = (g.outW - 1) * g.strideW + 1;
  const C = g.outC;
  const out = wasm.makeOutput([g.batch, H, W, C], 'float32');
  const dst = f32(wasm, out);
  const src = f32(wasm, dy);
  dst.fill(0);
  let s = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      let d = ((b * H + oy * g.strideH) * W) * C;
      for (let ox = 0; ox < g.outW; ox++) {
        for (let c = 0; c < C; c++) dst[d + c] = src[s + c]!;
        s += C;
        d += g.strideW * C;
      }
    }
  }
  return out;
}

/** Strided case: SIMD scatter into a zeroed, padded dx, cropped when the conv padded. */
function scatterSimd(
  wasm: WasmBackendLike, backend: unknown, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry, inputShape: readonly number[],
): tf.TensorInfo {
  const { H, W, exact } = paddedExtent(g);
  const out = wasm.makeOutput([...inputShape], 'float32');
  const padded = exact ? out : wasm.makeOutput([g.batch, H, W, g.inC], 'float32');
  const wt = wasm.makeOutput([g.kH * g.outC * vectorsPerPatch(g) * 4], 'float32');
  try {
    arrangeKernel(g, f32(wasm, filter), f32(wasm, wt));
    f32(wasm, padded).fill(0);
    simdBackpropInput(wasmMemory(backend), g, H, W, addressOf(backend, padded), addressOf(backend, dy), addressOf(backend, wt));
    if (!exact) {
      copyBox4(f32(wasm, padded), padded.shape, [0, g.padTop, g.padLeft, 0], f32(wasm, out), out.shape, [0, 0, 0, 0], out.shape);
    }
    return out;
  } finally {
    wasm.disposeData(wt.dataId, true);
    if (!exact) wasm.disposeData(padded.dataId, true);
  }
}

/** One stride phase of a strided input gradient, as a stride-1 convolution over dy. */
interface Phase {
  /** The convolution over dy: dy's extent in, this phase's dx pixels out. */
  g: ConvGeometry;
  /** Its kernel [Th][Tw][outC][inC] (W's taps of this phase, flipped, channels swapped). */
  w: Float32Array;
  /** dx pixel of the phase's output pixel (0, 0). */
  y0: number;
  x0: number;
}

/**
 * The phases of a strided conv's input gradient. Rows y with (y + padTop) mod sH = ry only
 * receive the taps kh = ry + sH·t (t < Th), from dy rows m − t when y = sH·m + ry − padTop: a
 * stride-1 correlation of dy with those taps flipped (padding Th − 1 − mMin). Likewise columns.
 * Null where a phase has no taps (kernel smaller than the stride) or would need dy shifted.
 */
function phasesOf(g: ConvGeometry, W: Float32Array): Phase[] | null {
  if (g.kH < g.strideH || g.kW < g.strideW) return null;
  const axis = (r: number, s: number, k: number, pad: number, size: number) => {
    const T = Math.ceil((k - r) / s);
    const mMin = Math.ceil((pad - r) / s);
    const count = Math.floor((size - 1 - r + pad) / s) - mMin + 1;
    return { T, count, padding: T - 1 - mMin, start: s * mMin + r - pad };
  };
  const out: Phase[] = [];
  for (let ry = 0; ry < g.strideH; ry++) {
    for (let rx = 0; rx < g.strideW; rx++) {
      const v = axis(ry, g.strideH, g.kH, g.padTop, g.inH);
      const h = axis(rx, g.strideW, g.kW, g.padLeft, g.inW);
      if (v.count <= 0 || h.count <= 0) continue;
      if (v.padding < 0 || h.padding < 0) return null;
      const w = new Float32Array(v.T * h.T * g.outC * g.inC);
      for (let th = 0; th < v.T; th++) {
        for (let tw = 0; tw < h.T; tw++) {
          const kh = ry + g.strideH * (v.T - 1 - th);
          const kw = rx + g.strideW * (h.T - 1 - tw);
          for (let co = 0; co < g.outC; co++) {
            for (let ci = 0; ci < g.inC; ci++) w[((th * h.T + tw) * g.outC + co) * g.inC + ci] = W[((kh * g.kW + kw) * g.inC + ci) * g.outC + co]!;
          }
        }
      }
      out.push({
        g: {
          batch: g.batch, inH: g.outH, inW: g.outW, inC: g.outC, outH: v.count, outW: h.count, outC: g.inC,
          kH: v.T, kW: h.T, strideH: 1, strideW: 1, padTop: v.padding, padLeft: h.padding,
        },
        w,
        y0: v.start,
        x0: h.start,
      });
    }
  }
  return out;
}

/**
 * Strided input gradient by gathering: each stride phase of dx is a small stride-1 conv of dy
 * (phasesOf), run by the SIMD forward conv tile by tile and written straight to its every
 * s-th pixel of dx. Every dx pixel belongs to one phase, so dx needs no zeroing and nothing
 * is read back (the scatter form adds into dx). Null when some phase's tiles do not fit the
 * SIMD kernel (callers scatter instead).
 */
function phaseGather(
  wasm: WasmBackendLike, backend: unknown, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeometry, inputShape: readonly number[],
): tf.TensorInfo | null {
  const phases = phasesOf(g, f32(wasm, filter));
  if (phases === null) return null;
  const tiled = phases.map((p) => convTiles(p.g));
  if (tiled.some((tiles) => tiles === null || !tiles.every((t) => simdConvForwardSupported(t.g)))) return null;
  const out = wasm.makeOutput([...inputShape], 'float32');
  const [dyAddr, dxAddr] = [addressOf(backend, dy), addressOf(backend, out)];
  const pixel = 4 * g.inC;
  const rowStride = g.strideH * g.inW * pixel;
  const image = g.inH * g.inW * pixel;
  phases.forEach((p, k) => {
    forwardTiles(wasm, backend, p.g, tiled[k]!, p.w, null, dyAddr, (t) => [
      dxAddr + ((p.y0 + g.strideH * t.rows.from) * g.inW + p.x0 + g.strideW * t.cols.from) * pixel,
      rowStride - t.g.outW * g.strideW * pixel,
      image - t.g.outH * rowStride,
    ], g.strideW * g.inC);
  });
  return out;
}
