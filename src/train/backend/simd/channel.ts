// Generates the per-channel SIMD reductions and affine maps over interleaved few-channel NHWC data.
import { assembleModule, instantiate, type WasmFunc } from '../wasm/assembler.js';
import { loopOver } from './loop.js';

/**
 * WebAssembly SIMD per-channel reductions and affine maps over NHWC data with few channels.
 *
 * With C channels interleaved, the lane → channel pattern repeats every lcm(C, 4) floats,
 * i.e. every P = lcm(C, 4) / 4 vectors. So a per-channel sum is P vector accumulators
 * walked over "periods" of P vectors, folded to C channels at the end; a per-channel
 * affine map uses P pattern vectors holding each lane's channel coefficients. One module
 * per P (1, 3 or 5 for C = 1..6), compiled on first use.
 *
 * Functions (addresses are heap byte offsets, n = number of periods):
 *   sum(x, n, out)                 out[P vec] = Σ x
 *   sumSqDev(x, n, m, out)         out = Σ (x − m)²           (m: P pattern vectors)
 *   sumDyDev(dy, x, n, m, o1, o2)  o1 = Σ dy, o2 = Σ dy·(x − m)
 *   affine(x, y, n, a, k)          y = a·x + k
 *   affine2(dy, x, dx, n, a, b, k) dx = a·dy + b·x + k
 *   sumDyDevMasked / affine2Masked  the same with dy masked to r > 0 (r: one more map)
 */
export interface ChannelKernels {
  sum(x: number, n: number, out: number): void;
  sumSqDev(x: number, n: number, m: number, out: number): void;
  sumDyDev(dy: number, x: number, n: number, m: number, o1: number, o2: number): void;
  affine(x: number, y: number, n: number, a: number, k: number): void;
  affine2(dy: number, x: number, dx: number, n: number, a: number, b: number, k: number): void;
  /** The same two with dy taken only where r > 0 (a ReLU's gradient folded in; r its input). */
  sumDyDevMasked(dy: number, r: number, x: number, n: number, m: number, o1: number, o2: number): void;
  affine2Masked(dy: number, r: number, x: number, dx: number, n: number, a: number, b: number, k: number): void;
}

const range = (P: number): number[] => Array.from({ length: P }, (_, i) => i);
const vlocals = (prefix: string, P: number): [string, 'v128'][] => range(P).map((i) => [`${prefix}${i}`, 'v128']);
const loadPattern = (ptr: string, prefix: string, P: number): string =>
  range(P).map((i) => `local.get ${ptr} v128.load offset=${16 * i} local.set ${prefix}${i}`).join('\n');
/** Vector i of dy where the ReLU input r is > 0, else 0 (stock's ReLU gradient, one mask). */
const masked = (i: number): string =>
  `local.get $dy v128.load offset=${16 * i} local.get $r v128.load offset=${16 * i} local.get $zero f32x4.gt v128.and`;
const storeVecs = (ptr: string, prefix: string, P: number): string =>
  range(P).map((i) => `local.get ${ptr} local.get ${prefix}${i} v128.store offset=${16 * i}`).join('\n');

function sources(P: number): WasmFunc[] {
  const i32 = (name: string): [string, 'i32'] => [name, 'i32'];
  return [
    {
      name: 'sum', params: [i32('$x'), i32('$n'), i32('$out')], locals: vlocals('$s', P),
      body: `block ${loopOver(['$x'], P, range(P).map((i) => `local.get $s${i} local.get $x v128.load offset=${16 * i} f32x4.add local.set $s${i}`).join('\n'))} end
        ${storeVecs('$out', '$s', P)}`,
    },
    {
      name: 'sumSqDev', params: [i32('$x'), i32('$n'), i32('$m'), i32('$out')], locals: [...vlocals('$s', P), ...vlocals('$m', P), ['$d', 'v128']],
      body: `${loadPattern('$m', '$m', P)}
        block ${loopOver(['$x'], P, range(P).map((i) => `local.get $x v128.load offset=${16 * i} local.get $m${i} f32x4.sub local.tee $d local.get $d f32x4.mul local.get $s${i} f32x4.add local.set $s${i}`).join('\n'))} end
        ${storeVecs('$out', '$s', P)}`,
    },
    {
      name: 'sumDyDev', params: [i32('$dy'), i32('$x'), i32('$n'), i32('$m'), i32('$o1'), i32('$o2')],
      locals: [...vlocals('$s', P), ...vlocals('$t', P), ...vlocals('$m', P), ['$g', 'v128']],
      body: `${loadPattern('$m', '$m', P)}
        block ${loopOver(['$dy', '$x'], P, range(P).map((i) => `local.get $dy v128.load offset=${16 * i} local.tee $g local.get $s${i} f32x4.add local.set $s${i}
            local.get $x v128.load offset=${16 * i} local.get $m${i} f32x4.sub local.get $g f32x4.mul local.get $t${i} f32x4.add local.set $t${i}`).join('\n'))} end
        ${storeVecs('$o1', '$s', P)}
        ${storeVecs('$o2', '$t', P)}`,
    },
    {
      name: 'affine', params: [i32('$x'), i32('$y'), i32('$n'), i32('$a'), i32('$k')], locals: [...vlocals('$a', P), ...vlocals('$k', P)],
      body: `${loadPattern('$a', '$a', P)} ${loadPattern('$k', '$k', P)}
        block ${loopOver(['$x', '$y'], P, range(P).map((i) => `local.get $y local.get $x v128.load offset=${16 * i} local.get $a${i} f32x4.mul local.get $k${i} f32x4.add v128.store offset=${16 * i}`).join('\n'))} end`,
    },
    {
      name: 'sumDyDevMasked', params: [i32('$dy'), i32('$r'), i32('$x'), i32('$n'), i32('$m'), i32('$o1'), i32('$o2')],
      locals: [...vlocals('$s', P), ...vlocals('$t', P), ...vlocals('$m', P), ['$g', 'v128'], ['$zero', 'v128']],
      body: `${loadPattern('$m', '$m', P)}
        block ${loopOver(['$dy', '$r', '$x'], P, range(P).map((i) => `${masked(i)} local.tee $g local.get $s${i} f32x4.add local.set $s${i}
            local.get $x v128.load offset=${16 * i} local.get $m${i} f32x4.sub local.get $g f32x4.mul local.get $t${i} f32x4.add local.set $t${i}`).join('\n'))} end
        ${storeVecs('$o1', '$s', P)}
        ${storeVecs('$o2', '$t', P)}`,
    },
    {
      name: 'affine2Masked', params: [i32('$dy'), i32('$r'), i32('$x'), i32('$dx'), i32('$n'), i32('$a'), i32('$b'), i32('$k')],
      locals: [...vlocals('$a', P), ...vlocals('$b', P), ...vlocals('$k', P), ['$zero', 'v128']],
      body: `${loadPattern('$a', '$a', P)} ${loadPattern('$b', '$b', P)} ${loadPattern('$k', '$k', P)}
        block ${loopOver(['$dy', '$r', '$x', '$dx'], P, range(P).map((i) => `local.get $dx
            ${masked(i)} local.get $a${i} f32x4.mul
            local.get $x v128.load offset=${16 * i} local.get $b${i} f32x4.mul f32x4.add
            local.get $k${i} f32x4.add v128.store offset=${16 * i}`).join('\n'))} end`,
    },
    {
      name: 'affine2', params: [i32('$dy'), i32('$x'), i32('$dx'), i32('$n'), i32('$a'), i32('$b'), i32('$k')],
      locals: [...vlocals('$a', P), ...vlocals('$b', P), ...vlocals('$k', P)],
      body: `${loadPattern('$a', '$a', P)} ${loadPattern('$b', '$b', P)} ${loadPattern('$k', '$k', P)}
        block ${loopOver(['$dy', '$x', '$dx'], P, range(P).map((i) => `local.get $dx
            local.get $dy v128.load offset=${16 * i} local.get $a${i} f32x4.mul
            local.get $x v128.load offset=${16 * i} local.get $b${i} f32x4.mul f32x4.add
            local.get $k${i} f32x4.add v128.store offset=${16 * i}`).join('\n'))} end`,
    },
  ];
}

const modules = new Map<string, ChannelKernels>();

export function periodVectors(channels: number): number {
  const g = gcd(channels, 4);
  return channels / g; // lcm(C, 4) / 4
}
function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export function channelKernels(memory: WebAssembly.Memory, P: number): ChannelKernels {
  const key = String(P);
  let k = modules.get(key);
  if (k === undefined) {
    k = instantiate(assembleModule(sources(P)), memory) as unknown as ChannelKernels;
    modules.set(key, k);
  }
  return k;
}
