// Forward kernels of the fused upsampling pair (Conv2DTranspose then Conv2D), computed from the
// small input instead of the upsampled map.
import * as tf from '@tensorflow/tfjs';
import { addressOf, asWasmBackend, f32, wasmMemory } from '../../wasm/heap.js';
import { arrangePhaseWeights, phaseConvSupported, phaseWeightFloats, simdPhaseConv, type PhaseConvShape } from '../../simd/phase-conv.js';
import type { UpsampleConvShape } from './shape.js';

/**
 * The forward pass of ops.ts's pair, y = conv(u, W) + b with u = convT(x, Wt) + bt,
 * computed from the small x instead of u (for the BackBone 0.6 M multiply-adds instead of 7.8 M).
 *
 * Output row r = s·i + a (phase a) with kernel tap kh reads u row r + kh − P, which is x row
 * i + di at phase a' where a + kh − P = s·di + a'. So each output phase is a small convolution
 * of x, and all phases together are ONE stride-1 convolution of x with s·s·Co output channels
 * (channel (a·s + b)·Co + co), a depth-to-space away from y:
 *   F[di, dj, ci, (a, b, co)] = Σ_{taps with these offsets} Σ_c W[kh, kw, c, co] · Wt[a', b', c, ci]
 * u's bias reaches y as B[kh, kw, co] = Σ_c W[kh, kw, c, co] · bt[c] per tap inside u, so the
 * interior bias is b + Σ B and border pixels (taps in the conv's zero padding) subtract the B of
 * their outside taps. The x terms need no such care: taps outside u are rows outside x, which the
 * small convolution pads with zeros too. The convolution and the depth-to-space run as one
 * SIMD kernel (simd/phase-conv.ts); the border fix is a JS pass over the border pixels. Needs a
 * square upsampling (sH = sW).
 */
export const UPSAMPLE_CONV_FORWARD = 'RecordflowUpsampleConvForward';

interface PhasePlan {
  /** Offsets di (dj) range over [dMin, dMin + K). */
  dMinH: number;
  dMinW: number;
  KH: number;
  KW: number;
  filter: Float32Array;
  bias: Float32Array;
  /** B[kh, kw, co]: u's bias as seen through each tap. */
  tapBias: Float64Array;
}

const floorDiv = (a: number, b: number): number => Math.floor(a / b);

function phasePlan(d: UpsampleConvShape, W: Float32Array, b: Float32Array, Wt: Float32Array, bt: Float32Array): PhasePlan {
  const { sH, sW, kH, kW, Ci, C, Co } = d;
  const PH = (kH - 1) / 2;
  const PW = (kW - 1) / 2;
  const [dMinH, KH] = offsets(sH, kH);
  const [dMinW, KW] = offsets(sW, kW);
  const outC = sH * sW * Co;
  const filter = new Float64Array(KH * KW * Ci * outC);
  const tapBias = new Float64Array(kH * kW * Co);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      for (let co = 0; co < Co; co++) {
        let sum = 0;
        for (let c = 0; c < C; c++) sum += W[((kh * kW + kw) * C + c) * Co + co]! * bt[c]!;
        tapBias[(kh * kW + kw) * Co + co] = sum;
      }
    }
  }
  const bias = new Float64Array(outC);
  for (let a = 0; a < sH; a++) {
    for (let bb = 0; bb < sW; bb++) {
      const phase = (a * sW + bb) * Co;
      for (let co = 0; co < Co; co++) bias[phase + co] = b[co]!;
      for (let kh = 0; kh < kH; kh++) {
        const di = floorDiv(a + kh - PH, sH);
        const ap = a + kh - PH - di * sH;
        for (let kw = 0; kw < kW; kw++) {
          const dj = floorDiv(bb + kw - PW, sW);
          const bp = bb + kw - PW - dj * sW;
          const fBase = ((di - dMinH) * KW + (dj - dMinW)) * Ci;
          for (let co = 0; co < Co; co++) {
            bias[phase + co]! += tapBias[(kh * kW + kw) * Co + co]!;
            for (let ci = 0; ci < Ci; ci++) {
              let sum = 0;
              for (let c = 0; c < C; c++) sum += W[((kh * kW + kw) * C + c) * Co + co]! * Wt[((ap * sW + bp) * C + c) * Ci + ci]!;
              filter[(fBase + ci) * outC + phase + co]! += sum;
            }
          }
        }
      }
    }
  }
  return { dMinH, dMinW, KH, KW, filter: Float32Array.from(filter), bias: Float32Array.from(bias), tapBias };
}

/** Bit k set when tap k of the conv lands outside [0, size) at output position p. */
function outsideTaps(size: number, k: number): Int32Array {
  const P = (k - 1) / 2;
  const masks = new Int32Array(size);
  for (let p = 0; p < size; p++) for (let t = 0; t < k; t++) if (p + t - P < 0 || p + t - P >= size) masks[p]! |= 1 << t;
  return masks;
}

/** Subtracts the bias of u seen through taps outside u, on the border pixels of y [B, H, W, Co]. */
function fixBorders(d: UpsampleConvShape, y: Float32Array, shape: readonly number[], tapBias: Float64Array): void {
  const [B, H, Wd] = shape as [number, number, number];
  const { kH, kW, Co } = d;
  const rows = outsideTaps(H, kH);
  const cols = outsideTaps(Wd, kW);
  // One correction per (row mask, column mask): Σ B over the taps either mask puts outside.
  const table = new Float64Array((1 << kH) * (1 << kW) * Co);
  for (let rm = 0; rm < 1 << kH; rm++) {
    for (let cm = 0; cm < 1 << kW; cm++) {
      for (let kh = 0; kh < kH; kh++) {
        for (let kw = 0; kw < kW; kw++) {
          if (((rm >> kh) & 1) === 0 && ((cm >> kw) & 1) === 0) continue;
          for (let co = 0; co < Co; co++) table[((rm << kW) + cm) * Co + co]! += tapBias[(kh * kW + kw) * Co + co]!;
        }
      }
    }
  }
  const borderCols: number[] = [];
  for (let s = 0; s < Wd; s++) if (cols[s] !== 0) borderCols.push(s);
  for (let n = 0; n < B; n++) {
    for (let r = 0; r < H; r++) {
      const rm = rows[r]!;
      const count = rm === 0 ? borderCols.length : Wd;
      for (let k = 0; k < count; k++) {
        const s = rm === 0 ? borderCols[k]! : k;
        const at = ((n * H + r) * Wd + s) * Co;
        const c = ((rm << kW) + cols[s]!) * Co;
        for (let co = 0; co < Co; co++) y[at + co] = y[at + co]! - table[c + co]!;
      }
    }
  }
}

/** Kernel offsets of the phase convolution per axis (dMin and K), from the upsampling s and the conv's k. */
function offsets(s: number, k: number): [number, number] {
  const P = (k - 1) / 2;
  const dMin = floorDiv(-P, s);
  return [dMin, floorDiv(s - 1 + k - 1 - P, s) - dMin + 1];
}

/** Whether the SIMD phase convolution takes this pair (square upsampling, few outputs). */
export function upsampleConvForwardSupported(d: UpsampleConvShape): boolean {
  return d.sH === d.sW && phaseConvSupported({ s: d.sH, Co: d.Co, Ci: d.Ci, KH: offsets(d.sH, d.kH)[1], KW: offsets(d.sW, d.kW)[1], kH: d.kH, kW: d.kW });
}

/** x [B, H, W, Ci] into the zeroed [B, H + KH − 1, W + KW − 1, Ci] at row/column offset (top, left). */
function padInto(x: Float32Array, xs: readonly number[], top: number, left: number, KH: number, KW: number, out: Float32Array): void {
  const [B, H, W, Ci] = xs as [number, number, number, number];
  const Wp = W + KW - 1;
  const Hp = H + KH - 1;
  out.fill(0);
  for (let n = 0; n < B; n++) {
    for (let i = 0; i < H; i++) out.set(x.subarray(((n * H + i) * W) * Ci, ((n * H + i + 1) * W) * Ci), ((n * Hp + i + top) * Wp + left) * Ci);
  }
}

export const upsampleConvForwardConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: UPSAMPLE_CONV_FORWARD,
  backendName,
  kernelFunc: ({ inputs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { x, W, b, Wt, bt } = inputs as Record<string, tf.TensorInfo>;
    const [kH, kW, C, Co] = W!.shape as [number, number, number, number];
    const [s, , , Ci] = Wt!.shape as [number, number, number, number];
    const d: UpsampleConvShape = { sH: s, sW: s, kH, kW, Ci, C, Co };
    const plan = phasePlan(d, f32(wasm, W!).slice(), f32(wasm, b!).slice(), f32(wasm, Wt!).slice(), f32(wasm, bt!).slice());
    const p: PhaseConvShape = { s, Co, Ci, KH: plan.KH, KW: plan.KW, kH, kW };
    const xs = x!.shape as [number, number, number, number];
    const yShape = [xs[0], xs[1] * s, xs[2] * s, Co];
    const y = wasm.makeOutput(yShape, 'float32');
    const padded = wasm.makeOutput([xs[0], xs[1] + plan.KH - 1, xs[2] + plan.KW - 1, Ci], 'float32');
    const weights = wasm.makeOutput([phaseWeightFloats(p)], 'float32');
    try {
      // Views after the last allocation (a heap growth detaches older ones).
      padInto(f32(wasm, x!), xs, -plan.dMinH, -plan.dMinW, plan.KH, plan.KW, f32(wasm, padded));
      arrangePhaseWeights(p, plan.filter, plan.bias, f32(wasm, weights));
      simdPhaseConv(wasmMemory(backend), p, xs[0], xs[1], xs[2], addressOf(backend, padded), addressOf(backend, y), addressOf(backend, weights));
      fixBorders(d, f32(wasm, y), yShape, plan.tapBias);
      return y;
    } finally {
      wasm.disposeData(padded.dataId, true);
      wasm.disposeData(weights.dataId, true);
    }
  },
});

/**
 * The transposed conv itself when its kernel equals its stride s (windows do not overlap):
 * u[s·i + a, s·j + b, c] = bt[c] + Σ_ci x[i, j, ci] · Wt[a, b, c, ci], the same phase kernel
 * with a single tap (F[0, 0, ci, (a·s + b)·C + c] = Wt[a, b, c, ci]): one pass writing u,
 * where stock zero-fills u, scatters into it and adds the bias in a third pass. Same float32
 * arithmetic (one product, then the bias added).
 */
export const UPSAMPLE = 'RecordflowUpsample';

const singleTap = (s: number, C: number, Ci: number): PhaseConvShape => ({ s, Co: C, Ci, KH: 1, KW: 1, kH: 1, kW: 1 });

/** Whether the SIMD kernel takes a transposed conv with kernel = stride = [s, s] and C filters. */
export function upsampleSupported(sH: number, sW: number, C: number, Ci: number): boolean {
  return sH === sW && phaseConvSupported(singleTap(sH, C, Ci));
}

export const upsampleConfig = (backendName: string): tf.KernelConfig => ({
  kernelName: UPSAMPLE,
  backendName,
  kernelFunc: ({ inputs, backend }) => {
    const wasm = asWasmBackend(backend);
    const { x, Wt, bt } = inputs as Record<string, tf.TensorInfo>;
    const [s, , C, Ci] = Wt!.shape as [number, number, number, number];
    const p = singleTap(s, C, Ci);
    const wt = f32(wasm, Wt!);
    const filter = new Float32Array(Ci * s * s * C);
    for (let ab = 0; ab < s * s; ab++) for (let c = 0; c < C; c++) for (let ci = 0; ci < Ci; ci++) filter[ci * s * s * C + ab * C + c] = wt[(ab * C + c) * Ci + ci]!;
    const bias = new Float32Array(s * s * C);
    const bts = f32(wasm, bt!);
    for (let ab = 0; ab < s * s; ab++) for (let c = 0; c < C; c++) bias[ab * C + c] = bts[c]!;
    const xs = x!.shape as [number, number, number, number];
    const u = wasm.makeOutput([xs[0], xs[1] * s, xs[2] * s, C], 'float32');
    const weights = wasm.makeOutput([phaseWeightFloats(p)], 'float32');
    try {
      arrangePhaseWeights(p, filter, bias, f32(wasm, weights));
      simdPhaseConv(wasmMemory(backend), p, xs[0], xs[1], xs[2], addressOf(backend, x!), addressOf(backend, u), addressOf(backend, weights));
      return u;
    } finally {
      wasm.disposeData(weights.dataId, true);
    }
  },
});
