// The output-pixel walk and patch-vector layout the generated conv kernels share, so forward and
// both gradients read patches and weights the same way.
import type { ConvGeometry } from '../kernels/conv/geometry.js';
import { assembleModule, instantiate, type WasmFunc } from '../wasm/assembler.js';

/**
 * Pieces shared by the generated SIMD conv kernels (forward, filter and input gradients): all
 * walk the output pixels of a convolution (or of one tile of it) in the same order and see the
 * kW·inC floats under one kernel row as ⌈L/4⌉ vectors, the last one loaded overlapping so that
 * it ends at the patch end; weights are arranged to match (arrangeKernel).
 */

/** Vectors covering a patch of L floats (L ≥ 4). */
export function patchVectors(L: number): number {
  return Math.ceil(L / 4);
}

/** Byte offset of patch vector v: 16·v, except the last, which ends at the patch end. */
export function patchVectorOffset(L: number, v: number): number {
  return v === patchVectors(L) - 1 ? 4 * (L - 4) : 16 * v;
}

/**
 * Patch index of lane `lane` of vector v, or -1 where the last (overlapping) vector repeats a
 * float an earlier vector already covers.
 */
export function patchLaneIndex(L: number, v: number, lane: number): number {
  const V = patchVectors(L);
  if (v !== V - 1) return 4 * v + lane;
  const j = L - 4 + lane;
  return j < 4 * (V - 1) ? -1 : j;
}

/**
 * The loop nest batch → output row → output column around `pixel` (instructions for one
 * output pixel at input address $xp and output-pixel address `pixelPtr`, $dy by default).
 * Expects i32 params $x, the pixel pointer, $batch, $outH, $outW, $xImg, $xRowStep, $xColStep,
 * $pRowSkip, $pImgSkip (bytes the pixel pointer skips after each row and image: non-zero when
 * the walk covers one tile of a larger map, kernels/conv/tiles.ts) and i32 locals $b, $oy, $ox, $xr, $xp.
 */
export function outputPixelLoop(pixel: readonly string[], outC: number, pixelPtr = '$dy'): string {
  return rowLoops(pixelPtr, `
        local.get $outW local.set $ox
        loop
          ${pixel.join('\n')}
          local.get $xp local.get $xColStep i32.add local.set $xp
          local.get ${pixelPtr} i32.const ${4 * outC} i32.add local.set ${pixelPtr}
          local.get $ox i32.const 1 i32.sub local.tee $ox
          br_if 0
        end`);
}

/**
 * outputPixelLoop walking each output row two pixels at a time (`pair`, for pixels at $xp and
 * $xp + $xColStep, output at the pixel pointer and one pixel after it), then `single` for an
 * odd last pixel. Output pixels are `outC` floats apart (more when the walk writes every s-th
 * pixel of a larger map). Needs the i32 local $xq besides outputPixelLoop's.
 */
export function outputPixelPairLoop(pair: readonly string[], single: readonly string[], outC: number, pixelPtr: string): string {
  return rowLoops(pixelPtr, `
        block
          local.get $outW i32.const 1 i32.shr_u local.tee $ox
          i32.eqz br_if 0
          loop
            ${pair.join('\n')}
            local.get $xp local.get $xColStep i32.const 1 i32.shl i32.add local.set $xp
            local.get ${pixelPtr} i32.const ${8 * outC} i32.add local.set ${pixelPtr}
            local.get $ox i32.const 1 i32.sub local.tee $ox
            br_if 0
          end
        end
        block
          local.get $outW i32.const 1 i32.and i32.eqz br_if 0
          ${single.join('\n')}
          local.get ${pixelPtr} i32.const ${4 * outC} i32.add local.set ${pixelPtr}
        end`);
}

/** The image and row loops around one output row's instructions (which start at $xp). */
function rowLoops(pixelPtr: string, row: string): string {
  return `
    local.get $batch local.set $b
    loop
      local.get $x local.set $xr
      local.get $outH local.set $oy
      loop
        local.get $xr local.set $xp
        ${row}
        local.get ${pixelPtr} local.get $pRowSkip i32.add local.set ${pixelPtr}
        local.get $xr local.get $xRowStep i32.add local.set $xr
        local.get $oy i32.const 1 i32.sub local.tee $oy
        br_if 0
      end
      local.get ${pixelPtr} local.get $pImgSkip i32.add local.set ${pixelPtr}
      local.get $x local.get $xImg i32.add local.set $x
      local.get $b i32.const 1 i32.sub local.tee $b
      br_if 0
    end`;
}

export function vectorsPerPatch(g: ConvGeometry): number {
  return patchVectors(g.kW * g.inC);
}

/**
 * Wt[kh][co][v][lane] from W[kh][kw][ci][co] (float32 count: kH·outC·V·4). For one tile of a
 * padded conv (kernels/conv/tiles.ts), g is the tile's sub-kernel geometry and W the full kernel, whose
 * kept taps start at row kh0, column kw0 of its fullKW columns.
 */
export function arrangeKernel(g: ConvGeometry, w: Float32Array, out: Float32Array, kh0 = 0, kw0 = 0, fullKW = g.kW): void {
  const L = g.kW * g.inC;
  const V = vectorsPerPatch(g);
  const lanes = laneIndices(L);
  const { outC } = g;
  for (let kh = 0; kh < g.kH; kh++) {
    const row = ((kh0 + kh) * fullKW + kw0) * g.inC; // patch index 0 of this kernel row in W
    for (let co = 0; co < outC; co++) {
      let o = (kh * outC + co) * V * 4;
      for (let q = 0; q < lanes.length; q++, o++) {
        const j = lanes[q]!;
        out[o] = j < 0 ? 0 : w[(row + j) * outC + co]!;
      }
    }
  }
}

const laneTables = new Map<number, Int32Array>();

/** patchLaneIndex for every lane of every patch vector of an L-float patch, in order. */
function laneIndices(L: number): Int32Array {
  let t = laneTables.get(L);
  if (t === undefined) {
    const V = patchVectors(L);
    t = new Int32Array(V * 4);
    for (let v = 0; v < V; v++) for (let lane = 0; lane < 4; lane++) t[v * 4 + lane] = patchLaneIndex(L, v, lane);
    laneTables.set(L, t);
  }
  return t;
}

/** Compiles `build()` once per key (and heap memory) and returns its function. */
export function compiledOnce(
  cache: Map<string, (...args: number[]) => void>, memory: WebAssembly.Memory, key: string, build: () => WasmFunc,
): (...args: number[]) => void {
  let fn = cache.get(key);
  if (fn === undefined) {
    const source = build();
    fn = instantiate(assembleModule([source]), memory)[source.name]!;
    cache.set(key, fn);
  }
  return fn;
}

/** The walk's byte steps over an inH × inW input: [$xImg, $xRowStep, $xColStep, $rowBytes]. */
export function walkSteps(g: ConvGeometry, inH: number, inW: number): [number, number, number, number] {
  const rowBytes = inW * g.inC * 4;
  return [inH * rowBytes, g.strideH * rowBytes, g.strideW * g.inC * 4, rowBytes];
}

/** The i32 params every walk takes after its kernel-specific addresses ($pRowSkip, $pImgSkip last). */
export const WALK_PARAMS: [string, 'i32'][] = [
  ['$batch', 'i32'], ['$outH', 'i32'], ['$outW', 'i32'], ['$xImg', 'i32'], ['$xRowStep', 'i32'], ['$xColStep', 'i32'],
  ['$rowBytes', 'i32'], ['$pRowSkip', 'i32'], ['$pImgSkip', 'i32'],
];
