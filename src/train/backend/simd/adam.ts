// Generates the WebAssembly SIMD Adam update that kernels/adam.ts launches.
import { assembleModule, instantiate, type WasmFunc } from '../wasm/assembler.js';

/**
 * Adam's element update in WebAssembly SIMD. f32x4 add/mul/div/sqrt are IEEE float32
 * operations, so doing tfjs-core's op sequence lane-wise gives the same bits as its
 * kernels (and as kernels/adam.ts's Math.fround reference):
 *   m' = m·β1 + g·(1−β1);  v' = v·β2 + (g·g)·(1−β2)
 *   value' = ((m'/(1−β1ᵗ)) / (sqrt(v'/(1−β2ᵗ)) + ε)) · (−lr) + value
 * Coefficients arrive as 10 splatted vectors at `$c`: β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε, −lr,
 * then the flush limits of weights and of moments: each output x with 0 < |x| < limit is
 * stored as 0 (kernels/adam.ts's flushTiny, lane-wise: NaN and ±0 pass unchanged).
 */
const flush = (limit: string): string => `local.tee $o local.get $o f32x4.abs local.get ${limit} f32x4.lt local.get $o local.get $zero f32x4.ne v128.and v128.andnot`;

const source: WasmFunc = {
  name: 'adam',
  params: [['$value', 'i32'], ['$m', 'i32'], ['$v', 'i32'], ['$g', 'i32'], ['$outValue', 'i32'], ['$outM', 'i32'], ['$outV', 'i32'], ['$n', 'i32'], ['$c', 'i32']],
  locals: [
    ['$b1', 'v128'], ['$omb1', 'v128'], ['$b2', 'v128'], ['$omb2', 'v128'], ['$acc1', 'v128'], ['$acc2', 'v128'], ['$eps', 'v128'], ['$nlr', 'v128'],
    ['$gv', 'v128'], ['$m1', 'v128'], ['$v1', 'v128'], ['$i', 'i32'],
    ['$wlim', 'v128'], ['$mlim', 'v128'], ['$o', 'v128'], ['$zero', 'v128'],
  ],
  body: `
    local.get $c v128.load offset=0 local.set $b1
    local.get $c v128.load offset=16 local.set $omb1
    local.get $c v128.load offset=32 local.set $b2
    local.get $c v128.load offset=48 local.set $omb2
    local.get $c v128.load offset=64 local.set $acc1
    local.get $c v128.load offset=80 local.set $acc2
    local.get $c v128.load offset=96 local.set $eps
    local.get $c v128.load offset=112 local.set $nlr
    local.get $c v128.load offset=128 local.set $wlim
    local.get $c v128.load offset=144 local.set $mlim
    block
      local.get $n i32.eqz br_if 0
      loop
        local.get $g local.get $i i32.add v128.load local.set $gv
        local.get $m local.get $i i32.add v128.load local.get $b1 f32x4.mul
        local.get $gv local.get $omb1 f32x4.mul f32x4.add local.set $m1
        local.get $v local.get $i i32.add v128.load local.get $b2 f32x4.mul
        local.get $gv local.get $gv f32x4.mul local.get $omb2 f32x4.mul f32x4.add local.set $v1
        local.get $outM local.get $i i32.add local.get $m1 ${flush('$mlim')} v128.store
        local.get $outV local.get $i i32.add local.get $v1 ${flush('$mlim')} v128.store
        local.get $outValue local.get $i i32.add
          local.get $m1 local.get $acc1 f32x4.div
          local.get $v1 local.get $acc2 f32x4.div f32x4.sqrt local.get $eps f32x4.add
          f32x4.div local.get $nlr f32x4.mul
          local.get $value local.get $i i32.add v128.load f32x4.add
          ${flush('$wlim')}
        v128.store
        local.get $i i32.const 16 i32.add local.set $i
        local.get $n i32.const 1 i32.sub local.tee $n
        br_if 0
      end
    end`,
};

let cached: { memory: WebAssembly.Memory; fn: (...args: number[]) => void } | null = null;

export function simdAdam(memory: WebAssembly.Memory): (...args: number[]) => void {
  if (cached === null || cached.memory !== memory) cached = { memory, fn: instantiate(assembleModule([source]), memory)['adam']! };
  return cached.fn;
}
