/**
 * A tiny WebAssembly assembler for the flat (non-folded) text form of function bodies, just
 * big enough for recordflow's SIMD kernels. We generate kernel source per tensor shape
 * (fully unrolled over the few channels) and assemble it at run time; no toolchain needed.
 *
 * Module layout: imports `env.memory` (tfjs-backend-wasm's heap, so kernels read and write
 * tensors in place) and exports every function by name. Body syntax: one instruction per
 * token group, e.g. `local.get $x  v128.load offset=16  f32x4.add  br_if 0`. Locals and
 * params are named with `$`. Control: block/loop (no result), end, br, br_if.
 * `i8x16.shuffle` takes its 16 byte-lane indices as the next 16 tokens.
 */
export type ValType = 'i32' | 'f32' | 'f64' | 'v128';
export interface WasmFunc {
  name: string;
  params: [string, ValType][];
  locals: [string, ValType][];
  body: string;
}

const TYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

// Plain opcodes without immediates.
const SIMPLE: Record<string, number> = {
  'unreachable': 0x00, 'nop': 0x01, 'return': 0x0f, 'drop': 0x1a, 'select': 0x1b,
  'i32.eqz': 0x45, 'i32.eq': 0x46, 'i32.ne': 0x47, 'i32.lt_s': 0x48, 'i32.lt_u': 0x49,
  'i32.gt_s': 0x4a, 'i32.gt_u': 0x4b, 'i32.le_s': 0x4c, 'i32.le_u': 0x4d, 'i32.ge_s': 0x4e, 'i32.ge_u': 0x4f,
  'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.mul': 0x6c, 'i32.and': 0x71, 'i32.or': 0x72,
  'i32.shl': 0x74, 'i32.shr_s': 0x75, 'i32.shr_u': 0x76,
  'f32.add': 0x92, 'f32.sub': 0x93, 'f32.mul': 0x94, 'f32.div': 0x95, 'f32.sqrt': 0x91,
  'f64.add': 0xa0, 'f64.sub': 0xa1, 'f64.mul': 0xa2, 'f64.div': 0xa3,
  'f32.demote_f64': 0xb6, 'f64.promote_f32': 0xbb,
};
// 0xFD-prefixed SIMD opcodes without immediates.
const SIMD: Record<string, number> = {
  'f32x4.splat': 0x13, 'f64x2.splat': 0x14,
  'f32x4.add': 0xe4, 'f32x4.sub': 0xe5, 'f32x4.mul': 0xe6, 'f32x4.div': 0xe7,
  'f32x4.min': 0xe8, 'f32x4.max': 0xe9, 'f32x4.sqrt': 0xe3,
  'f64x2.add': 0xf0, 'f64x2.sub': 0xf1, 'f64x2.mul': 0xf2,
  'f64x2.promote_low_f32x4': 0x5f, 'f32x4.demote_f64x2_zero': 0x5e,
  'v128.and': 0x4e, 'v128.andnot': 0x4f, 'v128.or': 0x50, 'v128.bitselect': 0x52, 'f32x4.abs': 0xe0, 'f32x4.eq': 0x41, 'f32x4.ne': 0x42,
  'f32x4.lt': 0x43, 'f32x4.gt': 0x44,
  'i32x4.splat': 0x11, 'i32x4.ge_u': 0x40, 'v128.xor': 0x51,
  'i32x4.shr_u': 0xad, 'i32x4.add': 0xae, 'i32x4.mul': 0xb5,
};
const SIMD_LANE: Record<string, number> = {
  'i32x4.replace_lane': 0x1c,
  'f32x4.extract_lane': 0x1f, 'f32x4.replace_lane': 0x20, 'f64x2.extract_lane': 0x21,
};
// Memory access: [prefix?, opcode, natural alignment log2]
const MEM: Record<string, [number | null, number, number]> = {
  'i32.load': [null, 0x28, 2], 'f32.load': [null, 0x2a, 2], 'f64.load': [null, 0x2b, 3],
  'i32.store': [null, 0x36, 2], 'f32.store': [null, 0x38, 2], 'f64.store': [null, 0x39, 3],
  'v128.load': [0xfd, 0x00, 4], 'v128.store': [0xfd, 0x0b, 4],
  'v128.load32_splat': [0xfd, 0x09, 2], 'v128.load64_zero': [0xfd, 0x5d, 3],
};

function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}
function sleb(n: number, out: number[]): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}
function str(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}
function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function assembleBody(fn: WasmFunc): number[] {
  const index = new Map<string, number>();
  [...fn.params, ...fn.locals].forEach(([name], i) => index.set(name, i));
  const code: number[] = [];
  // Locals: one group per entry (simple, the count is small).
  uleb(fn.locals.length, code);
  for (const [, t] of fn.locals) {
    uleb(1, code);
    code.push(TYPE[t]);
  }
  const tokens = fn.body.replace(/;;[^\n]*/g, ' ').split(/\s+/).filter((t) => t.length > 0);
  const localIndex = (tok: string | undefined): number => {
    if (tok === undefined) throw new Error(`wasm-asm ${fn.name}: missing local`);
    const i = tok.startsWith('$') ? index.get(tok) : Number(tok);
    if (i === undefined || Number.isNaN(i)) throw new Error(`wasm-asm ${fn.name}: unknown local ${tok}`);
    return i;
  };
  for (let p = 0; p < tokens.length; p++) {
    const op = tokens[p]!;
    if (op in SIMPLE) code.push(SIMPLE[op]!);
    else if (op === 'block' || op === 'loop') code.push(op === 'block' ? 0x02 : 0x03, 0x40);
    else if (op === 'end') code.push(0x0b);
    else if (op === 'br' || op === 'br_if') {
      code.push(op === 'br' ? 0x0c : 0x0d);
      uleb(Number(tokens[++p]), code);
    } else if (op === 'local.get' || op === 'local.set' || op === 'local.tee') {
      code.push(op === 'local.get' ? 0x20 : op === 'local.set' ? 0x21 : 0x22);
      uleb(localIndex(tokens[++p]), code);
    } else if (op === 'i32.const') {
      code.push(0x41);
      sleb(Number(tokens[++p]) | 0, code);
    } else if (op === 'f32.const') {
      code.push(0x43);
      const b = new Uint8Array(new Float32Array([Number(tokens[++p])]).buffer);
      code.push(...b);
    } else if (op === 'f64.const') {
      code.push(0x44);
      const b = new Uint8Array(new Float64Array([Number(tokens[++p])]).buffer);
      code.push(...b);
    } else if (op in SIMD) {
      code.push(0xfd);
      uleb(SIMD[op]!, code);
    } else if (op === 'i8x16.shuffle') {
      code.push(0xfd, 0x0d);
      for (let k = 0; k < 16; k++) code.push(Number(tokens[++p]) & 31);
    } else if (op in SIMD_LANE) {
      code.push(0xfd);
      uleb(SIMD_LANE[op]!, code);
      code.push(Number(tokens[++p]));
    } else if (op in MEM) {
      const [prefix, opcode, align] = MEM[op]!;
      let offset = 0;
      while (tokens[p + 1]?.startsWith('offset=')) offset = Number(tokens[++p]!.slice(7));
      if (prefix !== null) code.push(prefix);
      uleb(opcode, code);
      uleb(align, code);
      uleb(offset, code);
    } else {
      throw new Error(`wasm-asm ${fn.name}: unknown instruction '${op}'`);
    }
  }
  code.push(0x0b);
  const out: number[] = [];
  uleb(code.length, out);
  out.push(...code);
  return out;
}

/** Assembles a module importing `env.memory` and exporting each function by name. */
export function assembleModule(funcs: WasmFunc[]): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(funcs.length, types);
  for (const f of funcs) {
    types.push(0x60);
    uleb(f.params.length, types);
    for (const [, t] of f.params) types.push(TYPE[t]);
    types.push(0x00);
  }
  section(1, types, out);
  const imports: number[] = [];
  uleb(1, imports);
  str('env', imports);
  str('memory', imports);
  imports.push(0x02, 0x00); // memory, limits: min only
  uleb(1, imports);
  section(2, imports, out);
  const fnsec: number[] = [];
  uleb(funcs.length, fnsec);
  funcs.forEach((_, i) => uleb(i, fnsec));
  section(3, fnsec, out);
  const exports: number[] = [];
  uleb(funcs.length, exports);
  funcs.forEach((f, i) => {
    str(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  uleb(funcs.length, code);
  for (const f of funcs) code.push(...assembleBody(f));
  section(10, code, out);
  return new Uint8Array(out);
}

/** Compiles and instantiates against `memory`; exports are plain JS functions. */
export function instantiate(bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory): Record<string, (...args: number[]) => void> {
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as Record<string, (...args: number[]) => void>;
}
