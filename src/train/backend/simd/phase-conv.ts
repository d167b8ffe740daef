// Generates the SIMD phase convolution behind the fused upsample-conv forward pass.
import { compiledOnce, patchVectorOffset, patchVectors } from './output-walk.js';
import type { WasmFunc } from '../wasm/assembler.js';

/**
 * WebAssembly SIMD for kernels/upsample-conv/forward.ts: a stride-1 convolution of a small input x
 * (few channels Ci, zero-padded copy, KH × KW taps) whose s·s·Co output channels per x pixel
 * are written straight to their places in the s-times larger map y (depth-to-space folded
 * into the store): channel (a·s + b)·Co + co of x pixel (i, j) is y[s·i + a, s·j + b, co], so
 * for each phase row a the s·Co outputs are one contiguous run of y. Vectorised over the
 * outputs: each run is ⌈run/4⌉ vector accumulators (the last overlapping the one before it:
 * both compute the shared floats alike, so the overlapping store writes equal values), and
 * each tap and input channel adds a splat of the x value times a weight vector.
 *
 * Weights arrive arranged as Wv[tap][ci][acc] vectors (arrangePhaseWeights), the bias as
 * bias[acc] vectors.
 */
const cache = new Map<string, (...args: number[]) => void>();

export interface PhaseConvShape {
  s: number;
  Co: number;
  Ci: number;
  /** Taps of the phase convolution over x... */
  KH: number;
  KW: number;
  /** ...and of the conv on the upsampled map they come from (odd). */
  kH: number;
  kW: number;
}

/**
 * Whether phase a (or b) of the outputs reaches x at tap offset index t of a K-tap axis, given
 * the conv's k taps and the upsampling s: some conv tap lands there. Other weights are zero
 * by construction (forward.ts), so the kernel skips them: for the BackBone that
 * leaves 30 of 81 vector multiply-adds per x pixel.
 */
function reaches(s: number, k: number, t: number, phase: number): boolean {
  const P = (k - 1) / 2;
  const dMin = Math.floor(-P / s);
  for (let kk = 0; kk < k; kk++) if (Math.floor((phase + kk - P) / s) === t + dMin) return true;
  return false;
}

/** Float index within a run of the lane `lane` of vector v (the last vector ends at the run end). */
function runIndex(run: number, v: number, lane: number): number {
  return v === patchVectors(run) - 1 ? run - 4 + lane : 4 * v + lane;
}

export function phaseConvSupported(p: PhaseConvShape): boolean {
  const run = p.s * p.Co;
  return run >= 4 && p.s * patchVectors(run) <= 16;
}

/** Weights F[KH][KW][Ci][s·s·Co] and bias[s·s·Co] as the kernel's vectors. */
export function arrangePhaseWeights(p: PhaseConvShape, F: Float32Array, bias: Float32Array, out: Float32Array): void {
  const run = p.s * p.Co;
  const V = patchVectors(run);
  const outC = p.s * run;
  const accs = p.s * V;
  let o = 0;
  for (let t = 0; t < p.KH * p.KW * p.Ci; t++) {
    for (let a = 0; a < p.s; a++) {
      for (let v = 0; v < V; v++) for (let lane = 0; lane < 4; lane++) out[o++] = F[t * outC + a * run + runIndex(run, v, lane)]!;
    }
  }
  for (let a = 0; a < p.s; a++) {
    for (let v = 0; v < V; v++) for (let lane = 0; lane < 4; lane++) out[o++] = bias[a * run + runIndex(run, v, lane)]!;
  }
  if (o !== phaseWeightFloats(p) || accs * 4 * (p.KH * p.KW * p.Ci + 1) !== o) throw new Error('recordflow phase conv: weight layout');
}

export function phaseWeightFloats(p: PhaseConvShape): number {
  return p.s * patchVectors(p.s * p.Co) * 4 * (p.KH * p.KW * p.Ci + 1);
}

function source(p: PhaseConvShape): WasmFunc {
  const run = p.s * p.Co;
  const V = patchVectors(run);
  const accs = p.s * V;
  const taps = p.KH * p.KW * p.Ci;
  const locals: [string, 'i32' | 'v128'][] = [['$n', 'i32'], ['$i', 'i32'], ['$j', 'i32'], ['$xr', 'i32'], ['$xp', 'i32'], ['$yr', 'i32'], ['$yp', 'i32'], ['$sx', 'v128']];
  for (let k = 0; k < accs; k++) locals.push([`$a${k}`, 'v128']);
  const pixel: string[] = [];
  for (let k = 0; k < accs; k++) pixel.push(`local.get $w v128.load offset=${16 * (taps * accs + k)} local.set $a${k}`);
  // Accumulator (a, v) holds run floats whose phases b are those of its lanes.
  const used = (ti: number, tj: number, a: number, v: number): boolean =>
    reaches(p.s, p.kH, ti, a) && [0, 1, 2, 3].some((lane) => reaches(p.s, p.kW, tj, Math.floor(runIndex(run, v, lane) / p.Co)));
  for (let ti = 0; ti < p.KH; ti++) {
    for (let tj = 0; tj < p.KW; tj++) {
      const accsUsed = Array.from({ length: accs }, (_, k) => k).filter((k) => used(ti, tj, Math.floor(k / V), k % V));
      if (accsUsed.length === 0) continue;
      for (let ci = 0; ci < p.Ci; ci++) {
        const t = (ti * p.KW + tj) * p.Ci + ci;
        const row = ti === 0 ? 'local.get $xp' : `local.get $xp local.get $xRowBytes i32.const ${ti} i32.mul i32.add`;
        pixel.push(`${row} v128.load32_splat offset=${4 * (tj * p.Ci + ci)} local.set $sx`);
        for (const k of accsUsed) pixel.push(`local.get $a${k} local.get $sx local.get $w v128.load offset=${16 * (t * accs + k)} f32x4.mul f32x4.add local.set $a${k}`);
      }
    }
  }
  for (let a = 0; a < p.s; a++) {
    const row = a === 0 ? 'local.get $yp' : `local.get $yp local.get $yRowBytes i32.const ${a} i32.mul i32.add`;
    for (let v = 0; v < V; v++) pixel.push(`${row} local.get $a${a * V + v} v128.store offset=${patchVectorOffset(run, v)}`);
  }
  const body = `
    local.get $x local.set $xr
    local.get $y local.set $yr
    local.get $batch local.set $n
    loop
      local.get $height local.set $i
      loop
        local.get $xr local.set $xp
        local.get $yr local.set $yp
        local.get $width local.set $j
        loop
          ${pixel.join('\n')}
          local.get $xp i32.const ${4 * p.Ci} i32.add local.set $xp
          local.get $yp i32.const ${4 * run} i32.add local.set $yp
          local.get $j i32.const 1 i32.sub local.tee $j
          br_if 0
        end
        local.get $xr local.get $xRowBytes i32.add local.set $xr
        local.get $yr local.get $yRowBytes i32.const ${p.s} i32.mul i32.add local.set $yr
        local.get $i i32.const 1 i32.sub local.tee $i
        br_if 0
      end
      local.get $xr local.get $xRowBytes i32.const ${p.KH - 1} i32.mul i32.add local.set $xr
      local.get $n i32.const 1 i32.sub local.tee $n
      br_if 0
    end`;
  return {
    name: 'phaseConv',
    params: [['$x', 'i32'], ['$y', 'i32'], ['$w', 'i32'], ['$batch', 'i32'], ['$height', 'i32'], ['$width', 'i32'], ['$xRowBytes', 'i32'], ['$yRowBytes', 'i32']],
    locals,
    body,
  };
}

/**
 * y [B, s·H, s·W, Co] from the zero-padded x [B, H + KH − 1, W + KW − 1, Ci] (all at heap byte
 * addresses) and the arranged weights and bias at wAddr.
 */
export function simdPhaseConv(memory: WebAssembly.Memory, p: PhaseConvShape, B: number, H: number, W: number, xAddr: number, yAddr: number, wAddr: number): void {
  const fn = compiledOnce(cache, memory, `${p.s}x${p.Co}x${p.Ci}x${p.KH}x${p.KW}x${p.kH}x${p.kW}`, () => source(p));
  fn(xAddr, yAddr, wAddr, B, H, W, 4 * (W + p.KW - 1) * p.Ci, 4 * p.s * W * p.Co);
}
