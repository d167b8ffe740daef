// Runs the per-channel SIMD modules (channel.ts) as batch norm's forward and backward passes and
// as the per-channel sums and affine maps data-movement uses.
import type * as tf from '@tensorflow/tfjs';
import { batchNormGradCoefficients } from '../kernels/batch-norm/grad-coefficients.js';
import { addressOf, f32, type WasmBackendLike } from '../wasm/heap.js';
import { channelKernels, periodVectors, type ChannelKernels } from './channel.js';

/**
 * SIMD versions of kernels/batch-norm/batch-norm.ts's forward/backward and of a per-channel Sum, on the wasm
 * heap. Sums run in float32 SIMD over blocks of BLOCK periods and are added up in float64
 * between blocks, so long maps keep float64-grade totals. A tail shorter than one period
 * (only when pixels·C is not a multiple of lcm(C, 4)) is done in JS.
 */
const BLOCK = 256;
/** Scratch slots of one period (4·P floats) each: sums ×2, then mean/scale/shift patterns. */
const SCRATCH_SLOTS = 6;
/** Beyond this many channels the per-period module would need too many registers. */
export const MAX_CHANNELS = 64;

export function channelKernelsSupport(C: number): boolean {
  return Number.isInteger(C) && C >= 1 && C <= MAX_CHANNELS;
}

interface Ctx {
  k: ChannelKernels;
  P: number;
  C: number;
  periods: number;
  /** Bytes of one period. */
  stride: number;
  /** First float after the whole periods: the JS tail starts here. */
  tailStart: number;
  /** Floats in the tensor. */
  total: number;
  scratch: tf.TensorInfo;
  sAddr: number;
}

function context(wasm: WasmBackendLike, memory: WebAssembly.Memory, total: number, C: number): Ctx {
  if (!channelKernelsSupport(C)) throw new Error(`recordflow SIMD channel kernels: ${C} channels (max ${MAX_CHANNELS})`);
  const P = periodVectors(C);
  // Sized by the period: an undersized scratch would be overwritten past its end.
  const scratch = wasm.makeOutput([SCRATCH_SLOTS * 4 * P], 'float32');
  const periods = Math.floor(total / (4 * P));
  return {
    k: channelKernels(memory, P), P, C, periods, stride: 16 * P, tailStart: periods * 4 * P, total, scratch, sAddr: addressOf(wasm, scratch),
  };
}

/** Runs `body` with a context sized for x's C channels; the scratch is freed however it ends. */
function withContext(wasm: WasmBackendLike, memory: WebAssembly.Memory, x: tf.TensorInfo, C: number, body: (ctx: Ctx) => void): void {
  const ctx = context(wasm, memory, f32(wasm, x).length, C);
  try {
    body(ctx);
  } finally {
    wasm.disposeData(ctx.scratch.dataId, true);
  }
}

/** Writes per-channel values as P pattern vectors at scratch slot `slot`; returns its address. */
function pattern(wasm: WasmBackendLike, ctx: Ctx, slot: number, perChannel: ArrayLike<number>): number {
  if (slot >= SCRATCH_SLOTS) throw new Error('recordflow SIMD channel kernels: scratch slot out of range');
  const s = f32(wasm, ctx.scratch);
  const n = 4 * ctx.P;
  for (let i = 0; i < n; i++) s[slot * n + i] = perChannel[i % ctx.C]!;
  return ctx.sAddr + slot * n * 4;
}

function fold(s: Float32Array, ctx: Ctx, slot: number, into: Float64Array): void {
  const n = 4 * ctx.P;
  for (let i = 0; i < n; i++) into[i % ctx.C]! += s[slot * n + i]!;
}

/** Runs a reduction block by block: `call(firstPeriod, periods)` writes into slots, folded each time. */
function reduce(wasm: WasmBackendLike, ctx: Ctx, slots: [number, Float64Array][], call: (first: number, count: number) => void): void {
  // One view for all blocks: the SIMD calls never grow the heap (which would detach it).
  const s = f32(wasm, ctx.scratch);
  for (let first = 0; first < ctx.periods; first += BLOCK) {
    call(first, Math.min(BLOCK, ctx.periods - first));
    for (const [slot, into] of slots) fold(s, ctx, slot, into);
  }
}

/** Adds x's per-channel sums into `out`: SIMD over the whole periods, JS over the tail. */
function sumInto(wasm: WasmBackendLike, ctx: Ctx, x: tf.TensorInfo, out: Float64Array): void {
  const xa = addressOf(wasm, x);
  reduce(wasm, ctx, [[0, out]], (first, count) => ctx.k.sum(xa + first * ctx.stride, count, ctx.sAddr));
  const xs = f32(wasm, x);
  for (let i = ctx.tailStart; i < ctx.total; i++) out[i % ctx.C]! += xs[i]!;
}

export function channelSumSimd(wasm: WasmBackendLike, memory: WebAssembly.Memory, x: tf.TensorInfo, C: number, out: Float64Array): void {
  withContext(wasm, memory, x, C, (ctx) => sumInto(wasm, ctx, x, out));
}

export function batchNormForwardSimd(
  wasm: WasmBackendLike, memory: WebAssembly.Memory,
  x: tf.TensorInfo, gamma: Float32Array, beta: Float32Array, epsilon: number,
  y: tf.TensorInfo, mean: Float32Array, variance: Float32Array,
): void {
  const C = gamma.length;
  withContext(wasm, memory, x, C, (ctx) => {
    const { total } = ctx;
    const n = total / C;
    const xa = addressOf(wasm, x);
    const ya = addressOf(wasm, y);
    const sum = new Float64Array(C);
    sumInto(wasm, ctx, x, sum);
    for (let c = 0; c < C; c++) mean[c] = sum[c]! / n;
    const sq = new Float64Array(C);
    const mAddr = pattern(wasm, ctx, 2, mean);
    reduce(wasm, ctx, [[0, sq]], (first, count) => ctx.k.sumSqDev(xa + first * ctx.stride, count, mAddr, ctx.sAddr));
    let xs = f32(wasm, x);
    for (let i = ctx.tailStart; i < total; i++) {
      const d = xs[i]! - mean[i % C]!;
      sq[i % C]! += d * d;
    }
    const scale = new Float64Array(C);
    const shift = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      variance[c] = sq[c]! / n;
      scale[c] = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
      shift[c] = beta[c]! - mean[c]! * scale[c]!;
    }
    const aAddr = pattern(wasm, ctx, 3, scale);
    const kAddr = pattern(wasm, ctx, 4, shift);
    ctx.k.affine(xa, ya, ctx.periods, aAddr, kAddr);
    xs = f32(wasm, x);
    const ys = f32(wasm, y);
    for (let i = ctx.tailStart; i < total; i++) ys[i] = xs[i]! * scale[i % C]! + shift[i % C]!;
  });
}

/** With `relu` (the batch norm's output fed to a ReLU): dy is the ReLU's output gradient, masked to relu > 0 here. */
export function batchNormBackwardSimd(
  wasm: WasmBackendLike, memory: WebAssembly.Memory,
  dy: tf.TensorInfo, x: tf.TensorInfo, gamma: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number,
  dx: tf.TensorInfo, dgamma: Float32Array, dbeta: Float32Array, relu: tf.TensorInfo | null = null,
): void {
  const C = gamma.length;
  withContext(wasm, memory, x, C, (ctx) => {
    const { total } = ctx;
    const n = total / C;
    const dya = addressOf(wasm, dy);
    const xa = addressOf(wasm, x);
    const dxa = addressOf(wasm, dx);
    const sdy = new Float64Array(C);
    const sdyx = new Float64Array(C);
    const mAddr = pattern(wasm, ctx, 2, mean);
    const o2 = ctx.sAddr + 4 * 4 * ctx.P;
    const ra = relu === null ? 0 : addressOf(wasm, relu);
    reduce(wasm, ctx, [[0, sdy], [1, sdyx]], (first, count) => {
      const at = first * ctx.stride;
      if (relu === null) ctx.k.sumDyDev(dya + at, xa + at, count, mAddr, ctx.sAddr, o2);
      else ctx.k.sumDyDevMasked(dya + at, ra + at, xa + at, count, mAddr, ctx.sAddr, o2);
    });
    let dys = f32(wasm, dy);
    let xs = f32(wasm, x);
    let rs = relu === null ? null : f32(wasm, relu);
    const g = (i: number): number => (rs === null || rs[i]! > 0 ? dys[i]! : 0);
    for (let i = ctx.tailStart; i < total; i++) {
      sdy[i % C]! += g(i);
      sdyx[i % C]! += g(i) * (xs[i]! - mean[i % C]!);
    }
    const { a, b, k } = batchNormGradCoefficients(sdy, sdyx, gamma, mean, variance, epsilon, n, dgamma, dbeta);
    const aAddr = pattern(wasm, ctx, 3, a);
    const bAddr = pattern(wasm, ctx, 4, b);
    const kAddr = pattern(wasm, ctx, 5, k);
    if (relu === null) ctx.k.affine2(dya, xa, dxa, ctx.periods, aAddr, bAddr, kAddr);
    else ctx.k.affine2Masked(dya, ra, xa, dxa, ctx.periods, aAddr, bAddr, kAddr);
    dys = f32(wasm, dy);
    xs = f32(wasm, x);
    rs = relu === null ? null : f32(wasm, relu);
    const dxs = f32(wasm, dx);
    for (let i = ctx.tailStart; i < total; i++) dxs[i] = a[i % C]! * g(i) + b[i % C]! * xs[i]! + k[i % C]!;
  });
}

/** y = x·scale[c] + shift[c] per channel (float32 arithmetic, as the SIMD lanes do it). */
export function channelAffineSimd(
  wasm: WasmBackendLike, memory: WebAssembly.Memory, x: tf.TensorInfo, C: number,
  scale: Float64Array, shift: Float64Array, y: tf.TensorInfo,
): void {
  withContext(wasm, memory, x, C, (ctx) => {
    const aAddr = pattern(wasm, ctx, 3, scale);
    const kAddr = pattern(wasm, ctx, 4, shift);
    ctx.k.affine(addressOf(wasm, x), addressOf(wasm, y), ctx.periods, aAddr, kAddr);
    const xs = f32(wasm, x);
    const ys = f32(wasm, y);
    const fr = Math.fround;
    for (let i = ctx.tailStart; i < ctx.total; i++) ys[i] = fr(fr(xs[i]! * fr(scale[i % C]!)) + fr(shift[i % C]!));
  });
}
