// Generates the SIMD row-block matrix product kernels/matmul.ts runs.
import { compiledOnce } from './output-walk.js';
import type { WasmFunc } from '../wasm/assembler.js';

/**
 * WebAssembly SIMD matrix product for the Dense layers' small products (batch 7 against
 * 324 × 64 weights): C[m, n0 .. n0 + 4·nv) = Σ_k A(m, k) · B[k, n0 .. n0 + 4·nv), with nv
 * vector accumulators per row of C. A is read through strides (a plain or a transposed
 * matrix alike); B rows are contiguous (callers transpose B when the product wants Bᵀ).
 * One module per block width nv (1..8), compiled on first use.
 */
const cache = new Map<string, (...args: number[]) => void>();
export const MATMUL_BLOCK = 8;

function source(nv: number): WasmFunc {
  const locals: [string, 'i32' | 'v128'][] = [['$k', 'i32'], ['$ap', 'i32'], ['$bp', 'i32'], ['$s', 'v128']];
  for (let j = 0; j < nv; j++) locals.push([`$c${j}`, 'v128']);
  const zero = Array.from({ length: nv }, (_, j) => `local.get $s local.get $s v128.xor local.set $c${j}`).join('\n');
  const madd = Array.from({ length: nv }, (_, j) => `local.get $c${j} local.get $bp v128.load offset=${16 * j} local.get $s f32x4.mul f32x4.add local.set $c${j}`).join('\n');
  const store = Array.from({ length: nv }, (_, j) => `local.get $c local.get $c${j} v128.store offset=${16 * j}`).join('\n');
  return {
    name: 'matmulBlock',
    // a: A(m = 0, k = 0); aRow/aCol: byte strides of m and k; b: B[0, n0]; bRow: B's row bytes;
    // c: C[0, n0]; cRow: C's row bytes.
    params: [['$a', 'i32'], ['$aRow', 'i32'], ['$aCol', 'i32'], ['$b', 'i32'], ['$bRow', 'i32'], ['$c', 'i32'], ['$cRow', 'i32'], ['$m', 'i32'], ['$kCount', 'i32']],
    locals,
    body: `
      loop
        ${zero}
        local.get $a local.set $ap
        local.get $b local.set $bp
        local.get $kCount local.set $k
        loop
          local.get $ap v128.load32_splat local.set $s
          ${madd}
          local.get $ap local.get $aCol i32.add local.set $ap
          local.get $bp local.get $bRow i32.add local.set $bp
          local.get $k i32.const 1 i32.sub local.tee $k
          br_if 0
        end
        ${store}
        local.get $a local.get $aRow i32.add local.set $a
        local.get $c local.get $cRow i32.add local.set $c
        local.get $m i32.const 1 i32.sub local.tee $m
        br_if 0
      end`,
  };
}

export interface MatmulOperands {
  /** Byte address of A(0, 0) and the byte strides between rows (m) and columns (k) of A as used. */
  a: number;
  aRow: number;
  aCol: number;
  /** Byte address of B[0, 0], row-major [K, N]. */
  b: number;
  /** Byte address of C[0, 0], row-major [M, N]. */
  c: number;
  M: number;
  K: number;
  N: number;
}

/** C = A · B for M, K ≥ 1 and N a multiple of 4. */
export function simdMatmul(memory: WebAssembly.Memory, o: MatmulOperands): void {
  const vectors = o.N / 4;
  for (let v0 = 0; v0 < vectors; v0 += MATMUL_BLOCK) {
    const nv = Math.min(MATMUL_BLOCK, vectors - v0);
    const fn = compiledOnce(cache, memory, String(nv), () => source(nv));
    fn(o.a, o.aRow, o.aCol, o.b + 16 * v0, 4 * o.N, o.c + 16 * v0, 4 * o.N, o.M, o.K);
  }
}
