// Generates the SIMD forward convolution for few output channels.
import type { ConvGeometry } from '../kernels/conv/geometry.js';
import { compiledOnce, outputPixelPairLoop, patchVectorOffset, patchVectors, vectorsPerPatch, walkSteps, WALK_PARAMS } from './output-walk.js';
import type { WasmFunc } from '../wasm/assembler.js';

/**
 * WebAssembly SIMD forward convolution for small channel counts (NHWC, dilation 1, padding
 * already applied by the caller). XNNPACK pads the output channels to its 8-wide tiles, so
 * our 3- and 5-channel layers use under half of its arithmetic.
 *
 * Per output pixel and kernel row kh, the input patch is kW·inC CONTIGUOUS floats, loaded as
 * ⌈L/4⌉ vectors (the last one overlapping, with zero weights on the repeated lanes). Each
 * output channel keeps one vector accumulator of patch · W[kh][co] products over all kernel
 * rows; at the end the accumulators of four channels fold into one vector of their sums
 * (two rounds of shuffle + add), the bias is added and the outC floats are stored lane by
 * lane (a whole-vector store would write past the last pixel). Weights come pre-arranged as
 * Wt[kh][co][v] (arrangeKernel in output-walk.ts).
 */
const cache = new Map<string, (...args: number[]) => void>();

export function simdConvForwardSupported(g: ConvGeometry): boolean {
  const L = g.kW * g.inC;
  return L >= 4 && g.outC <= 8 && g.kH * patchVectors(L) * g.outC <= 160;
}

/** i8x16.shuffle taking float lanes `lanes` (0–3 first operand, 4–7 second). */
function shuffle(lanes: readonly number[]): string {
  return `i8x16.shuffle ${lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ')}`;
}

/** Leaves [Σa0, Σa1, Σa2, Σa3] (horizontal sums of four accumulators) in $r. */
function foldFour(a: readonly string[]): string {
  const [a0, a1, a2, a3] = a as [string, string, string, string];
  return `
    local.get ${a0} local.get ${a1} ${shuffle([0, 1, 4, 5])}
    local.get ${a0} local.get ${a1} ${shuffle([2, 3, 6, 7])} f32x4.add local.set $s01
    local.get ${a2} local.get ${a3} ${shuffle([0, 1, 4, 5])}
    local.get ${a2} local.get ${a3} ${shuffle([2, 3, 6, 7])} f32x4.add local.set $s23
    local.get $s01 local.get $s23 ${shuffle([0, 2, 4, 6])}
    local.get $s01 local.get $s23 ${shuffle([1, 3, 5, 7])} f32x4.add local.set $r`;
}

/**
 * Instructions computing `np` (1 or 2) horizontally adjacent output pixels at $xp / $y; the
 * second pixel's outputs are `step` floats after the first's (outC for a contiguous map).
 */
function pixels(L: number, outC: number, kH: number, np: 1 | 2, step: number): string[] {
  const V = patchVectors(L);
  const out: string[] = [];
  const ps = np === 2 ? [0, 1] : [0];
  if (np === 2) out.push('local.get $xp local.get $xColStep i32.add local.set $xq');
  for (let kh = 0; kh < kH; kh++) {
    for (const p of ps) {
      const base = p === 0 ? '$xp' : '$xq';
      out.push(`local.get ${base} ${kh === 0 ? '' : `local.get $rowBytes i32.const ${kh} i32.mul i32.add`} local.set $row`);
      for (let v = 0; v < V; v++) out.push(`local.get $row v128.load offset=${patchVectorOffset(L, v)} local.set $v${p}_${v}`);
    }
    for (let co = 0; co < outC; co++) {
      for (let v = 0; v < V; v++) {
        // One weight load serves both pixels of a pair.
        out.push(`local.get $w v128.load offset=${16 * ((kh * outC + co) * V + v)} local.set $wv`);
        for (const p of ps) {
          const product = `local.get $v${p}_${v} local.get $wv f32x4.mul`;
          // The first product starts the accumulator (no zeroing pass).
          out.push(kh === 0 && v === 0 ? `${product} local.set $a${p}_${co}` : `local.get $a${p}_${co} ${product} f32x4.add local.set $a${p}_${co}`);
        }
      }
    }
  }
  for (const p of ps) {
    for (let c0 = 0; c0 < outC; c0 += 4) {
      const group = [0, 1, 2, 3].map((k) => `$a${p}_${Math.min(c0 + k, outC - 1)}`);
      out.push(foldFour(group));
      out.push(`local.get $r local.get $bias v128.load offset=${4 * c0} f32x4.add local.set $r`);
      for (let k = 0; k < 4 && c0 + k < outC; k++) out.push(`local.get $y local.get $r f32x4.extract_lane ${k} f32.store offset=${4 * (p * step + c0 + k)}`);
    }
  }
  return out;
}

function source(L: number, outC: number, kH: number, step: number): WasmFunc {
  const V = patchVectors(L);
  const locals: [string, 'i32' | 'v128'][] = [
    ['$b', 'i32'], ['$oy', 'i32'], ['$ox', 'i32'], ['$xr', 'i32'], ['$xp', 'i32'], ['$xq', 'i32'], ['$row', 'i32'],
    ['$s01', 'v128'], ['$s23', 'v128'], ['$r', 'v128'], ['$wv', 'v128'],
  ];
  for (const p of [0, 1]) {
    for (let v = 0; v < V; v++) locals.push([`$v${p}_${v}`, 'v128']);
    for (let co = 0; co < outC; co++) locals.push([`$a${p}_${co}`, 'v128']);
  }
  return {
    name: 'convForward',
    params: [['$x', 'i32'], ['$y', 'i32'], ['$w', 'i32'], ['$bias', 'i32'], ...WALK_PARAMS],
    locals,
    body: outputPixelPairLoop(pixels(L, outC, kH, 2, step), pixels(L, outC, kH, 1, step), step, '$y'),
  };
}

/** Floats the arranged kernel (Wt) and the bias block need. */
export function convForwardScratch(g: ConvGeometry): { weights: number; bias: number } {
  return { weights: g.kH * g.outC * vectorsPerPatch(g) * 4, bias: 4 * Math.ceil(g.outC / 4) };
}

/**
 * y = conv(x, W) + bias over an input laid out so output pixel (oy, ox) reads rows oy·sH + kh,
 * columns ox·sW + kw; inH × inW is that input's extent. For one tile of a larger output
 * (kernels/conv/tiles.ts), g holds the tile's size and sub-kernel and the skips step over the rest; output
 * pixels are `yPixelFloats` apart along a row (outC: contiguous; more: every s-th pixel of a
 * larger map, conv-backprop-input.ts's phases). `biasAddr` points
 * at convForwardScratch(g).bias floats (zeros for no bias), `wtAddr` at the arranged kernel.
 */
export function simdConvForward(
  memory: WebAssembly.Memory, g: ConvGeometry, inH: number, inW: number, xAddr: number, yAddr: number, wtAddr: number, biasAddr: number,
  yRowSkip = 0, yImageSkip = 0, yPixelFloats = g.outC,
): void {
  const L = g.kW * g.inC;
  const fn = compiledOnce(cache, memory, `${L}x${g.outC}x${g.kH}x${yPixelFloats}`, () => source(L, g.outC, g.kH, yPixelFloats));
  fn(xAddr, yAddr, wtAddr, biasAddr, g.batch, g.outH, g.outW, ...walkSteps(g, inH, inW), yRowSkip, yImageSkip);
}
