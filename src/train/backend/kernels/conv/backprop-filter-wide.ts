// Conv2DBackpropFilter for convs with more channels than the SIMD kernel holds in registers
// (a detector's 16-64 channel layers): the weight gradient written as one forward convolution
// that XNNPACK runs, instead of the scalar loop.
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from './geometry.js';
import { asWasmBackend } from '../../wasm/heap.js';

/**
 * dW[kh, kw, ci, co] = Σ_b,oy,ox x[b, oy·s + kh - pt, ox·s + kw - pl, ci] · dy[b, oy, ox, co]
 * is a convolution of x with dy as its filter once batch and channels swap places: with
 * X' = x transposed to [ci, H, W, b] and F = dy transposed to [oh, ow, b, co], the 'valid'
 * conv of X' (padded as the forward conv was) by F at dilation s gives [ci, kh, kw, co]
 * directly. Its arithmetic is the same GEMM the scalar loop does (ci·kh·kw x b·oh·ow x co), but
 * XNNPACK's microkernels run it ~15x faster at 16 channels; the three transposes are copies of
 * x, dy and dW. Null when the conv's windows stop short of the padded input's end (a 'valid'
 * conv dropping remainder rows), where the dilated conv would not come out kh x kw.
 */
export function wideBackpropFilter(backend: unknown, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo | null {
  const padBottom = (g.outH - 1) * g.strideH + g.kH - g.inH - g.padTop;
  const padRight = (g.outW - 1) * g.strideW + g.kW - g.inW - g.padLeft;
  if (padBottom < 0 || padRight < 0 || g.padTop < 0 || g.padLeft < 0) return null;
  const wasm = asWasmBackend(backend);
  const transpose = stock(tf.Transpose);
  const conv = stock(tf.Conv2D);
  const temps: tf.TensorInfo[] = [];
  const run = (f: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo => {
    const out = f({ inputs, attrs: attrs as tf.NamedAttrMap, backend: backend as tf.KernelBackend }) as tf.TensorInfo;
    temps.push(out);
    return out;
  };
  try {
    const xt = run(transpose, { x }, { perm: [3, 1, 2, 0] });
    const filter = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] });
    const pad = [[0, 0], [g.padTop, padBottom], [g.padLeft, padRight], [0, 0]];
    const dw = run(conv, { x: xt, filter }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [g.strideH, g.strideW], dimRoundingMode: undefined });
    temps.pop();
    temps.push(dw);
    const out = transpose({ inputs: { x: dw }, attrs: { perm: [1, 2, 0, 3] } as unknown as tf.NamedAttrMap, backend: backend as tf.KernelBackend }) as tf.TensorInfo;
    return out;
  } finally {
    for (const t of temps) wasm.disposeData(t.dataId, true);
  }
}

/** tfjs-wasm's own kernel (XNNPACK's conv, its transpose), registered under 'wasm'. */
function stock(kernelName: string): tf.KernelFunc {
  const config = tf.getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`recordflow: wasm has no ${kernelName} kernel`);
  return config.kernelFunc;
}

/**
 * Whether the XNNPACK route pays off: its three copies and operator setup cost about as much
 * as a few-channel gradient, so it takes over where the scalar loop would do at least ~64
 * multiply-adds per input pixel.
 */
export function wideBackpropFilterPays(g: ConvGeometry): boolean {
  return g.kH * g.kW * g.inC * g.outC >= 64;
}
