// Generates the SIMD Conv2DBackpropFilter kernel, one module per patch length and channel count.
import type { ConvGeometry } from '../kernels/conv/geometry.js';
import { compiledOnce, outputPixelLoop, patchLaneIndex, patchVectorOffset, patchVectors, walkSteps, WALK_PARAMS } from './output-walk.js';
import type { WasmFunc } from '../wasm/assembler.js';

/**
 * WebAssembly SIMD Conv2DBackpropFilter for small channel counts (NHWC; padded convs run
 * tile by tile, kernels/conv/tiles.ts).
 *
 * For one kernel row kh, the input patch under an output pixel is kW·inC CONTIGUOUS floats
 * (NHWC), and dW[kh] is exactly that many rows × outC. So per output pixel we load the patch
 * as ⌈L/4⌉ vectors (L = kW·inC), splat each of the outC dy values and accumulate L×outC
 * products in ⌈L/4⌉·outC vector registers (≤ 15 for our shapes). The last vector is loaded
 * overlapping (ending at the patch end) so nothing outside the patch is read.
 * One module is generated and compiled per (L, outC) and cached.
 */
const cache = new Map<string, (...args: number[]) => void>();

export function simdBackpropFilterSupported(g: ConvGeometry): boolean {
  const L = g.kW * g.inC;
  return L >= 4 && Math.ceil(L / 4) * g.outC <= 24;
}

function source(L: number, outC: number): WasmFunc {
  const V = patchVectors(L);
  const locals: [string, 'i32' | 'v128'][] = [['$b', 'i32'], ['$oy', 'i32'], ['$ox', 'i32'], ['$xr', 'i32'], ['$xp', 'i32'], ['$d', 'v128']];
  for (let v = 0; v < V; v++) locals.push([`$v${v}`, 'v128']);
  for (let co = 0; co < outC; co++) for (let v = 0; v < V; v++) locals.push([`$a${co}_${v}`, 'v128']);
  const pixel: string[] = [];
  for (let v = 0; v < V; v++) pixel.push(`local.get $xp v128.load offset=${patchVectorOffset(L, v)} local.set $v${v}`);
  for (let co = 0; co < outC; co++) {
    pixel.push(`local.get $dy v128.load32_splat offset=${4 * co} local.set $d`);
    for (let v = 0; v < V; v++) pixel.push(`local.get $a${co}_${v} local.get $v${v} local.get $d f32x4.mul f32x4.add local.set $a${co}_${v}`);
  }
  const store: string[] = [];
  for (let co = 0; co < outC; co++) {
    for (let v = 0; v < V; v++) {
      for (let lane = 0; lane < 4; lane++) {
        const j = patchLaneIndex(L, v, lane);
        if (j < 0) continue; // overlapping lanes: an earlier vector holds that float
        // Added to dW: the tiles of a padded conv (kernels/conv/tiles.ts) each contribute.
        const at = `offset=${4 * (j * outC + co)}`;
        store.push(`local.get $dw local.get $dw f32.load ${at} local.get $a${co}_${v} f32x4.extract_lane ${lane} f32.add f32.store ${at}`);
      }
    }
  }
  const body = `${outputPixelLoop(pixel, outC)}
    ${store.join('\n')}`;
  return {
    name: 'backpropFilterRow',
    params: [['$x', 'i32'], ['$dy', 'i32'], ['$dw', 'i32'], ...WALK_PARAMS],
    locals,
    body,
  };
}

/**
 * dW += backprop-filter over an input laid out so output pixel (oy, ox) reads rows oy·sH + kh,
 * columns ox·sW + kw from xAddr. Addresses are heap byte offsets; `inH`, `inW` describe that
 * input. For one tile of a padded conv (kernels/conv/tiles.ts), g holds the tile's size and kept taps,
 * dwAddr points at the first kept tap, `dwRowFloats` is the full kernel's kW·inC·outC and the
 * skips step dy over the rest of its map.
 */
export function simdBackpropFilter(
  memory: WebAssembly.Memory,
  g: ConvGeometry,
  inH: number,
  inW: number,
  xAddr: number,
  dyAddr: number,
  dwAddr: number,
  dwRowFloats = g.kW * g.inC * g.outC,
  dyRowSkip = 0,
  dyImageSkip = 0,
): void {
  const L = g.kW * g.inC;
  const fn = compiledOnce(cache, memory, `${L}x${g.outC}`, () => source(L, g.outC));
  const steps = walkSteps(g, inH, inW);
  const rowBytes = steps[3];
  for (let kh = 0; kh < g.kH; kh++) {
    fn(xAddr + kh * rowBytes, dyAddr, dwAddr + kh * dwRowFloats * 4, g.batch, g.outH, g.outW, ...steps, dyRowSkip, dyImageSkip);
  }
}
