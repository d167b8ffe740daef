// Generates the SIMD scatter form of Conv2DBackpropInput for strided convolutions.
import type { ConvGeometry } from '../kernels/conv/geometry.js';
import { compiledOnce, outputPixelLoop, patchVectorOffset, patchVectors, walkSteps, WALK_PARAMS } from './output-walk.js';
import type { WasmFunc } from '../wasm/assembler.js';

/**
 * WebAssembly SIMD scatter form of Conv2DBackpropInput, used for strided convolutions (and
 * the stride-3 Conv2DTranspose forward pass): every dy pixel adds W[kh]·dy into the kW·inC
 * CONTIGUOUS floats of each of the kH input rows its window covered. Zero-stuffing dy and
 * running a stride-1 convolution would do ~s² times the work.
 *
 * The kernel is pre-arranged (by the caller, `arrangeKernel` in output-walk.ts) as Wt[kh][co][v] vectors over
 * the patch index j, so each patch vector is updated by outC multiply-adds with dy splats.
 * The last patch vector overlaps the previous one (ends at the patch end); its overlapping
 * lanes carry zero weights, and vectors are updated in order, so nothing is added twice.
 * `dx` must be zeroed and laid out padded: pixel (oy, ox) covers rows oy·sH + kh, columns
 * ox·sW + kw.
 */
const cache = new Map<string, (...args: number[]) => void>();

export function simdBackpropInputSupported(g: ConvGeometry): boolean {
  const L = g.kW * g.inC;
  return L >= 4 && g.outC <= 8 && g.kH <= 5;
}

function source(L: number, outC: number, kH: number): WasmFunc {
  const V = patchVectors(L);
  const locals: [string, 'i32' | 'v128'][] = [['$b', 'i32'], ['$oy', 'i32'], ['$ox', 'i32'], ['$xr', 'i32'], ['$xp', 'i32'], ['$row', 'i32'], ['$acc', 'v128']];
  for (let co = 0; co < outC; co++) locals.push([`$d${co}`, 'v128']);
  const pixel: string[] = [];
  for (let co = 0; co < outC; co++) pixel.push(`local.get $dy v128.load32_splat offset=${4 * co} local.set $d${co}`);
  for (let kh = 0; kh < kH; kh++) {
    pixel.push(kh === 0 ? 'local.get $xp local.set $row' : 'local.get $row local.get $rowBytes i32.add local.set $row');
    for (let v = 0; v < V; v++) {
      pixel.push(`local.get $row v128.load offset=${patchVectorOffset(L, v)} local.set $acc`);
      for (let co = 0; co < outC; co++) {
        pixel.push(`local.get $acc local.get $w v128.load offset=${16 * ((kh * outC + co) * V + v)} local.get $d${co} f32x4.mul f32x4.add local.set $acc`);
      }
      pixel.push(`local.get $row local.get $acc v128.store offset=${patchVectorOffset(L, v)}`);
    }
  }
  const body = outputPixelLoop(pixel, outC);
  return {
    name: 'backpropInputScatter',
    params: [['$x', 'i32'], ['$dy', 'i32'], ['$w', 'i32'], ...WALK_PARAMS],
    locals,
    body,
  };
}

/** dx (padded layout inH × inW, zeroed) += scatter of dy through the arranged kernel at wtAddr. */
export function simdBackpropInput(
  memory: WebAssembly.Memory, g: ConvGeometry, inH: number, inW: number, dxAddr: number, dyAddr: number, wtAddr: number,
): void {
  const L = g.kW * g.inC;
  const fn = compiledOnce(cache, memory, `${L}x${g.outC}x${g.kH}`, () => source(L, g.outC, g.kH));
  fn(dxAddr, dyAddr, wtAddr, g.batch, g.outH, g.outW, ...walkSteps(g, inH, inW), 0, 0);
}
