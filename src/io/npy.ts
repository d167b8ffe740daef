// The .npy format (numpy.lib.format): magic "\x93NUMPY", version, header length, a Python dict
// literal {'descr', 'fortran_order', 'shape'} padded so the data starts 64-byte aligned, then
// the raw array data. Only plain numeric and bool dtypes are read; object arrays would need
// unpickling and are refused.

import { InputError } from '../core/errors.js';
import { PyLiteralError, pyLiteralEval, type PyValue } from './py-literal.js';

/** The typed arrays .npy data decode to, one per numpy dtype recordflow reads. */
export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** An n-dimensional array in C order: `data.length === prod(shape)`. */
export interface NdArray {
  dtype: string;
  shape: number[];
  data: TypedArray;
}

type Ctor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray; new (length: number): TypedArray; BYTES_PER_ELEMENT: number };

interface DtypeInfo {
  name: string;
  size: number;
  ctor: Ctor;
}

/** numpy kind+size (e.g. 'f4') → recordflow dtype; float16 is kept as raw Uint16 bits. */
const DTYPES: Record<string, DtypeInfo> = {
  b1: { name: 'bool', size: 1, ctor: Uint8Array as unknown as Ctor },
  u1: { name: 'uint8', size: 1, ctor: Uint8Array as unknown as Ctor },
  i1: { name: 'int8', size: 1, ctor: Int8Array as unknown as Ctor },
  u2: { name: 'uint16', size: 2, ctor: Uint16Array as unknown as Ctor },
  i2: { name: 'int16', size: 2, ctor: Int16Array as unknown as Ctor },
  u4: { name: 'uint32', size: 4, ctor: Uint32Array as unknown as Ctor },
  i4: { name: 'int32', size: 4, ctor: Int32Array as unknown as Ctor },
  u8: { name: 'uint64', size: 8, ctor: BigUint64Array as unknown as Ctor },
  i8: { name: 'int64', size: 8, ctor: BigInt64Array as unknown as Ctor },
  f2: { name: 'float16', size: 2, ctor: Uint16Array as unknown as Ctor },
  f4: { name: 'float32', size: 4, ctor: Float32Array as unknown as Ctor },
  f8: { name: 'float64', size: 8, ctor: Float64Array as unknown as Ctor },
};
const BY_NAME: Record<string, { code: string; info: DtypeInfo }> = Object.fromEntries(
  Object.entries(DTYPES).map(([code, info]) => [info.name, { code, info }]),
);

/** The numpy dtype names recordflow reads and writes (e.g. 'uint8', 'float32', 'int64'). */
export const NPY_DTYPES: readonly string[] = Object.values(DTYPES).map((d) => d.name);

/** A parsed .npy header: dtype and byte order, layout, shape, and where the data start. */
export interface NpyHeader {
  /** numpy's descr string, e.g. '<f4'. */
  descr: string;
  dtype: string;
  itemSize: number;
  bigEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the data from the start of the .npy. */
  dataOffset: number;
  /** Elements: prod(shape). */
  count: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy.load refuses longer headers unless allow_pickle is set (numpy ≥ 1.24). */
const MAX_HEADER_CHARS = 10000;
/** numpy's NPY_MAXDIMS. */
const MAX_DIMS = 32;
const MAX_INTP = (1n << 63n) - 1n;

/** numpy's one-character type codes for the dtypes recordflow reads. */
const CHAR_CODES: Record<string, string> = { '?': 'b1', b: 'i1', B: 'u1', h: 'i2', H: 'u2', i: 'i4', I: 'u4', q: 'i8', Q: 'u8', e: 'f2', f: 'f4', d: 'f8' };

/**
 * numpy.dtype(descr) for the plain dtypes recordflow reads: an optional byte order (`<`, `>`,
 * `=` or `|`, which multi-byte types read as native) and a kind+size code (`<f4`), a one-letter
 * code (`f`), or a name (`float32`). Undefined for anything else.
 */
function dtypeOfDescr(descr: string): { code: string; bigEndian: boolean } | undefined {
  const byName = BY_NAME[descr];
  if (byName !== undefined) return { code: byName.code, bigEndian: false };
  const order = /^[<>=|]/.test(descr) ? descr[0]! : '';
  const rest = order === '' ? descr : descr.slice(1);
  const code = CHAR_CODES[rest] ?? (DTYPES[rest] !== undefined ? rest : undefined);
  if (code === undefined) return undefined;
  return { code, bigEndian: order === '>' && DTYPES[code]!.size > 1 };
}

function pyRepr(v: PyValue): string {
  switch (v.type) {
    case 'int':
      return v.value.toString();
    case 'bool':
      return v.value ? 'True' : 'False';
    case 'str':
      return JSON.stringify(v.value);
    case 'tuple':
      return `(${v.items.map(pyRepr).join(', ')}${v.items.length === 1 ? ',' : ''})`;
    default:
      return `a ${v.type}`;
  }
}

/**
 * Parses the header of a .npy held in `bytes` (at least the header must be present) as numpy's
 * format.read_array_header does: versions 1.0, 2.0 and 3.0 only; the dict literal read with
 * Python's literal_eval (comments, any spacing, a repeated key's last value; for 1.0 and 2.0 the
 * `L` of Python 2 longs dropped first); exactly the keys descr, fortran_order and shape; shape a
 * tuple of non-negative integers (at most 32, their bytes within numpy's size limit),
 * fortran_order a bool. Anything numpy refuses is an InputError here too; what numpy reads but
 * recordflow does not (structured, string or object dtypes) is an InputError saying so.
 */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  const bad = (why: string): never => {
    throw new InputError(`${where}: not a valid .npy (${why})`);
  };
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) bad('bad magic');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    bad(`format version ${major}.${minor}; numpy reads only 1.0, 2.0 and 3.0`);
  }
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else {
    if (bytes.length < 12) bad('truncated header');
    headerLen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16) | (bytes[11]! << 24)) >>> 0;
    start = 12;
  }
  const dataOffset = start + headerLen;
  if (dataOffset > bytes.length) bad(`truncated header: ${headerLen} bytes announced, ${bytes.length - start} present`);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start, dataOffset));
  } catch {
    return bad('a version 3.0 header that is not UTF-8');
  }
  const chars = text.length > MAX_HEADER_CHARS ? [...text].length : text.length;
  if (chars > MAX_HEADER_CHARS) bad(`a header of ${chars} characters; numpy reads at most ${MAX_HEADER_CHARS}`);
  let d: PyValue;
  try {
    d = pyLiteralEval(text, { numpyFilter: major <= 2 });
  } catch (e) {
    if (!(e instanceof PyLiteralError)) throw e;
    return bad(`cannot parse header ${JSON.stringify(text.trim().slice(0, 200))}: ${e.message}`);
  }
  if (d.type !== 'dict') return bad(`the header is not a dictionary but ${pyRepr(d)}`);
  // a repeated key keeps its last value, as in Python
  const fields = new Map<string, PyValue>();
  const others: string[] = [];
  for (const [k, v] of d.entries) {
    if (k.type === 'str') fields.set(k.value, v);
    else others.push(pyRepr(k));
  }
  const keys = [...[...fields.keys()].map((k) => JSON.stringify(k)), ...others].sort();
  if (others.length > 0 || fields.size !== 3 || !fields.has('descr') || !fields.has('fortran_order') || !fields.has('shape')) {
    bad(`the header's keys are ${keys.join(', ') || 'none'}; numpy wants exactly descr, fortran_order and shape`);
  }
  const shapeV = fields.get('shape')!;
  if (shapeV.type !== 'tuple' || !shapeV.items.every((x) => x.type === 'int')) bad(`shape is not a tuple of integers: ${pyRepr(shapeV)}`);
  const dims = (shapeV as { items: { value: bigint }[] }).items.map((x) => x.value);
  const fortranV = fields.get('fortran_order')!;
  if (fortranV.type !== 'bool') bad(`fortran_order is not a bool: ${pyRepr(fortranV)}`);
  const descrV = fields.get('descr')!;
  if (descrV.type === 'list' || descrV.type === 'tuple') {
    throw new InputError(`${where}: structured and sub-array dtypes are not supported (descr ${pyRepr(descrV)})`);
  }
  if (descrV.type !== 'str') return bad(`descr is not a dtype: ${pyRepr(descrV)}`);
  const descr = descrV.value;
  if (/^[<>=|]?O$/.test(descr)) {
    throw new InputError(
      `${where}: holds an object array (dtype 'O', stored with pickle); recordflow does not unpickle — ` +
        'save it with a numeric dtype (np.asarray(x, dtype=...))',
    );
  }
  const dt = dtypeOfDescr(descr);
  if (dt === undefined) {
    throw new InputError(`${where}: dtype '${descr}' is not supported (supported: ${NPY_DTYPES.join(', ')})`);
  }
  const info = DTYPES[dt.code]!;
  if (dims.length > MAX_DIMS) bad(`${dims.length} dimensions; numpy allows at most ${MAX_DIMS}`);
  if (dims.some((x) => x < 0n)) bad(`negative dimension in shape ${pyRepr(shapeV)}`);
  // numpy's limit: the bytes of the non-zero dimensions must fit in an intp, even when one is 0
  const nonZeroBytes = dims.reduce((p, x) => (x === 0n ? p : p * x), BigInt(info.size));
  if (nonZeroBytes > MAX_INTP) bad(`shape ${pyRepr(shapeV)} is too big for numpy (more than 2^63-1 bytes)`);
  if (dims.some((x) => x > BigInt(Number.MAX_SAFE_INTEGER))) {
    throw new InputError(`${where}: shape ${pyRepr(shapeV)} has a dimension beyond 2^53, which recordflow cannot index`);
  }
  const shape = dims.map(Number);
  const count = dims.reduce((p, x) => p * x, 1n);
  if (count * BigInt(info.size) > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InputError(`${where}: shape ${pyRepr(shapeV)} needs ${count * BigInt(info.size)} bytes, more than recordflow can hold`);
  }
  return {
    descr,
    dtype: info.name,
    itemSize: info.size,
    bigEndian: dt.bigEndian,
    fortranOrder: (fortranV as { value: boolean }).value,
    shape,
    dataOffset,
    count: Number(count),
  };
}

/** Reverses the byte order of each item in place. */
export function byteSwap(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1) return;
  for (let i = 0; i + itemSize <= bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** A typed array over bytes[offset, offset + count*itemSize): a view when aligned, else a copy. */
export function typedArrayOver(dtype: string, bytes: Uint8Array, offset: number, count: number): TypedArray {
  const { info } = BY_NAME[dtype]!;
  const byteOffset = bytes.byteOffset + offset;
  if (byteOffset % info.size === 0) return new info.ctor(bytes.buffer, byteOffset, count);
  const out = new info.ctor(count);
  new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * info.size));
  return out;
}

/**
 * The C-order copy of an array stored in Fortran (column-major) order, bit for bit: elements move
 * as unsigned integer words, never through JS numbers (a float32 signalling NaN read as a number
 * comes back quietened).
 */
export function fortranToC(data: TypedArray, shape: number[]): TypedArray {
  const n = shape.length;
  if (n <= 1) return data;
  const out = new (data.constructor as Ctor)(data.length);
  const size = data.BYTES_PER_ELEMENT;
  // the words one element spans: one 8-, 16- or 32-bit word, or two 32-bit words
  const Words = (size === 1 ? Uint8Array : size === 2 ? Uint16Array : Uint32Array) as new (b: ArrayBufferLike, o: number, n: number) => Uint32Array;
  const per = size === 8 ? 2 : 1;
  const src = new Words(data.buffer, data.byteOffset, data.length * per);
  const dst = new Words(out.buffer, out.byteOffset, out.length * per);
  // strides of the Fortran layout, walked in C order with an odometer
  const fStride = new Array<number>(n);
  let s = 1;
  for (let d = 0; d < n; d++) {
    fStride[d] = s;
    s *= shape[d]!;
  }
  const idx = new Array<number>(n).fill(0);
  let from = 0;
  const last = n - 1;
  const lastLen = shape[last]!;
  const lastStride = fStride[last]!;
  for (let o = 0; o < data.length; ) {
    if (per === 1) for (let k = 0; k < lastLen; k++) dst[o++] = src[from + k * lastStride]!;
    else {
      for (let k = 0; k < lastLen; k++, o++) {
        const at = 2 * (from + k * lastStride);
        dst[2 * o] = src[at]!;
        dst[2 * o + 1] = src[at + 1]!;
      }
    }
    // advance the odometer on the leading dims
    let d = last - 1;
    while (d >= 0) {
      idx[d]!++;
      from += fStride[d]!;
      if (idx[d]! < shape[d]!) break;
      from -= fStride[d]! * shape[d]!;
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  return out;
}

/** The constructor recordflow uses for a dtype name; undefined for unknown names. */
export function dtypeInfo(dtype: string): { code: string; size: number; ctor: Ctor } | undefined {
  const e = BY_NAME[dtype];
  return e === undefined ? undefined : { code: e.code, size: e.info.size, ctor: e.info.ctor };
}

function pyShape(shape: number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * The .npy header (magic through padding) numpy 1.24 writes for a C-order little-endian array:
 * sorted dict keys, spare spaces for growing axis 0, padded to 64 bytes.
 */
export function encodeNpyHeader(dtype: string, shape: number[]): Uint8Array {
  const info = dtypeInfo(dtype);
  if (info === undefined) throw new InputError(`dtype '${dtype}' is not supported (supported: ${NPY_DTYPES.join(', ')})`);
  const descr = (info.size === 1 ? '|' : '<') + info.code;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pyShape(shape)}, }`;
  if (shape.length > 0) header += ' '.repeat(Math.max(0, 21 - String(shape[0]).length));
  let prefix = 10;
  let padlen = 64 - ((prefix + header.length + 1) % 64);
  let total = header.length + 1 + padlen;
  let version = 1;
  if (total > 0xffff) {
    version = 2;
    prefix = 12;
    padlen = 64 - ((prefix + header.length + 1) % 64);
    total = header.length + 1 + padlen;
  }
  const out = new Uint8Array(prefix + total);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) {
    out[8] = total & 0xff;
    out[9] = total >>> 8;
  } else {
    new DataView(out.buffer).setUint32(8, total, true);
  }
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.fill(0x20, prefix + header.length, out.length - 1);
  out[out.length - 1] = 0x0a;
  return out;
}
