/**
 * The counted loop every streaming SIMD kernel runs: `body` once per step while the i32 local
 * $n counts down, then each pointer in `ptrs` advances by P vectors (16·P bytes). Expects to
 * sit inside a \`block\` (an $n of 0 branches out of it before the first step).
 */
export function loopOver(ptrs: string[], P: number, body: string): string {
  const bump = ptrs.map((p) => `local.get ${p} i32.const ${16 * P} i32.add local.set ${p}`).join('\n');
  return `
    local.get $n i32.eqz br_if 0
    loop
      ${body}
      ${bump}
      local.get $n i32.const 1 i32.sub local.tee $n
      br_if 0
    end`;
}
