import * as tf from '@tensorflow/tfjs';
import { convGeometry, paddedExtent, type ConvGeometry } from './conv-backprop-filter.js';
import { copyBox4 } from './data-movement.js';
import { addressOf, asWasmBackend, f32, wasmMemory, type WasmBackendLike } from './heap.js';
import { simdBackpropInput, simdBackpropInputSupported } from './simd-backprop-input.js';
import { arrangeKernel, vectorsPerPatch } from './simd-output-walk.js';

/**
 * Conv2DBackpropInput (the input gradient of a convolution, and the forward pass of
 * Conv2DTranspose), NHWC, dilation 1.
 *
 * Stride 1: a transposed convolution is a plain convolution of dy with the kernel rotated
 * by 180° and its in/out channels swapped, padded by (k − 1 − pad). We build that kernel
 * (tiny) and run the backend's own Conv2D (on the fast backend our SIMD conv, conv-forward.ts;
 * XNNPACK for shapes it does not take), far faster than the stock wasm Conv2DBackpropInput.
 * Stride > 1: dy is first spread out with (stride − 1) zeros between pixels ("zero
 * stuffing"), which turns it into the stride-1 case; XNNPACK's speed on the 4x larger map
 * still beats a JS scatter by far. `scatterBackpropInput` (every dy pixel adds W·dy into
 * the input pixels its window covered) is the reference and the fallback for geometries
 * the padding trick cannot express.
 */
export function scatterBackpropInput(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft } = g;
  dx.fill(0);
  const dyv = new Float64Array(outC);
  for (let b = 0; b < batch; b++) {
    const xb = b * inH * inW * inC;
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - padTop;
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - padLeft;
        const dyOff = ((b * outH + oy) * outW + ox) * outC;
        let any = false;
        for (let co = 0; co < outC; co++) {
          const v = dy[dyOff + co]!;
          dyv[co] = v;
          if (v !== 0) any = true;
        }
        if (!any) continue;
        for (let kh = 0; kh < kH; kh++) {
          const iy = iy0 + kh;
          if (iy < 0 || iy >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const ix = ix0 + kw;
            if (ix < 0 || ix >= inW) continue;
            const xOff = xb + (iy * inW + ix) * inC;
            let wOff = (kh * kW + kw) * inC * outC;
            for (let ci = 0; ci < inC; ci++) {
              let s = 0;
              for (let co = 0; co < outC; co++) s += w[wOff++]! * dyv[co]!;
              dx[xOff + ci]! += s;
            }
          }
        }
      }
    }
  }
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
    if ((g.strideH > 1 || g.strideW > 1) && simdBackpropInputSupported(g)) return scatterSimd(wasm, backend, dy, filter, g, inputShape);
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
