/**
 * Pieces shared by the generated SIMD backprop kernels (filter and input): both walk every
 * output pixel of a convolution in the same order and see the kW·inC floats under one kernel
 * row as ⌈L/4⌉ vectors, the last one loaded overlapping so that it ends at the patch end.
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
 * output pixel at input address $xp and dy address $dy). Expects i32 params $x, $dy, $batch,
 * $outH, $outW, $xImg, $xRowStep, $xColStep and i32 locals $b, $oy, $ox, $xr, $xp.
 */
export function outputPixelLoop(pixel: readonly string[], outC: number): string {
  return `
    local.get $batch local.set $b
    loop
      local.get $x local.set $xr
      local.get $outH local.set $oy
      loop
        local.get $xr local.set $xp
        local.get $outW local.set $ox
        loop
          ${pixel.join('\n')}
          local.get $xp local.get $xColStep i32.add local.set $xp
          local.get $dy i32.const ${4 * outC} i32.add local.set $dy
          local.get $ox i32.const 1 i32.sub local.tee $ox
          br_if 0
        end
        local.get $xr local.get $xRowStep i32.add local.set $xr
        local.get $oy i32.const 1 i32.sub local.tee $oy
        br_if 0
      end
      local.get $x local.get $xImg i32.add local.set $x
      local.get $b i32.const 1 i32.sub local.tee $b
      br_if 0
    end`;
}
