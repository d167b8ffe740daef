// Generates CornerNet's corner pooling (a cumulative max along one axis of NHWC data) and its
// gradient as WebAssembly SIMD, four neighbouring floats of a line per vector.
import { assembleModule, instantiate, type WasmFunc } from '../wasm/assembler.js';

/**
 * The two functions of the module. A tensor is `outer` blocks of `length` lines of `vecs`
 * vectors (4 floats each); the pool runs along the lines. Each column of vectors is walked
 * line by line from byte offset `first` within its block, `step` bytes (negative to walk
 * backwards) from one line to the next; `block` is the bytes of one block. Addresses are heap
 * byte offsets.
 *
 *   forward(x, y, outer, length, vecs, first, step, block)
 *     y[first line] = x[first line]; y[line] = max(x[line], y[previous line])
 *   backward(x, y, dy, dx, outer, length, vecs, first, step, block)
 *     walked the other way (from the forward walk's last line): acc += dy[line]; where
 *     x[line] == y[line] (the line is the arg-max of the lines it serves) dx = acc and acc = 0,
 *     elsewhere dx = 0
 */
export interface CornerPoolKernels {
  forward(x: number, y: number, outer: number, length: number, vecs: number, first: number, step: number, block: number): void;
  backward(x: number, y: number, dy: number, dx: number, outer: number, length: number, vecs: number, first: number, step: number, block: number): void;
}

const i32 = (name: string): [string, 'i32'] => [name, 'i32'];

/**
 * Three nested counted loops — blocks, the vector columns of a block, the lines of a column —
 * with `$p` the byte offset of the current vector (the same for every tensor, which all share
 * one layout). `start` runs at each column's first line, `body` at every later one.
 */
function walk(start: string, body: string): string {
  return `
    local.get $first local.set $b
    local.get $outer local.set $o
    block loop
      local.get $o i32.eqz br_if 1
      local.get $b local.set $c
      local.get $vecs local.set $v
      block loop
        local.get $v i32.eqz br_if 1
        local.get $c local.set $p
        ${start}
        local.get $length i32.const 1 i32.sub local.set $l
        block loop
          local.get $l i32.eqz br_if 1
          local.get $p local.get $step i32.add local.set $p
          ${body}
          local.get $l i32.const 1 i32.sub local.set $l
          br 0
        end end
        local.get $c i32.const 16 i32.add local.set $c
        local.get $v i32.const 1 i32.sub local.set $v
        br 0
      end end
      local.get $b local.get $block i32.add local.set $b
      local.get $o i32.const 1 i32.sub local.set $o
      br 0
    end end`;
}

const at = (base: string): string => `local.get ${base} local.get $p i32.add`;

// acc += dy; mask = x == y; dx = acc where mask; acc = 0 where mask.
const gradientLine = `
  local.get $acc ${at('$dy')} v128.load f32x4.add local.set $acc
  ${at('$x')} v128.load ${at('$y')} v128.load f32x4.eq local.set $mask
  ${at('$dx')} local.get $acc local.get $mask v128.and v128.store
  local.get $acc local.get $mask v128.andnot local.set $acc`;

const walkLocals: [string, 'i32'][] = [i32('$o'), i32('$v'), i32('$l'), i32('$b'), i32('$c'), i32('$p')];
const shape: [string, 'i32'][] = [i32('$outer'), i32('$length'), i32('$vecs'), i32('$first'), i32('$step'), i32('$block')];

const sources: WasmFunc[] = [
  {
    name: 'forward',
    params: [i32('$x'), i32('$y'), ...shape],
    locals: [...walkLocals, ['$m', 'v128']],
    body: walk(
      `${at('$x')} v128.load local.set $m ${at('$y')} local.get $m v128.store`,
      `${at('$x')} v128.load local.get $m f32x4.max local.set $m ${at('$y')} local.get $m v128.store`,
    ),
  },
  {
    name: 'backward',
    params: [i32('$x'), i32('$y'), i32('$dy'), i32('$dx'), ...shape],
    locals: [...walkLocals, ['$acc', 'v128'], ['$mask', 'v128']],
    body: walk(`i32.const 0 i32x4.splat local.set $acc ${gradientLine}`, gradientLine),
  },
];

let cached: { memory: WebAssembly.Memory; kernels: CornerPoolKernels } | null = null;

/** The module instantiated on `memory` (tfjs-wasm's heap), compiled once per memory. */
export function cornerPoolKernels(memory: WebAssembly.Memory): CornerPoolKernels {
  if (cached === null || cached.memory !== memory) {
    const exports = instantiate(assembleModule(sources), memory);
    cached = { memory, kernels: { forward: exports['forward']!, backward: exports['backward']! } };
  }
  return cached.kernels;
}
