// The .npy format (numpy.lib.format): magic "\x93NUMPY", version, header length, a Python dict
// literal {'descr', 'fortran_order', 'shape'} padded so the data starts 64-byte aligned, then
// the raw array data. Only plain numeric and bool dtypes are read; object arrays would need
// unpickling and are refused.

import { InputError } from '../core/errors.js';

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

export const NPY_DTYPES: readonly string[] = Object.values(DTYPES).map((d) => d.name);

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

/** Parses the header of a .npy held in `bytes` (at least the header must be present). */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  const bad = (why: string): never => {
    throw new InputError(`${where}: not a valid .npy (${why})`);
  };
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) bad('bad magic');
  const major = bytes[6]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) bad('truncated header');
    headerLen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16) | (bytes[11]! << 24)) >>> 0;
    start = 12;
  } else {
    return bad(`unsupported format version ${major}`);
  }
  const dataOffset = start + headerLen;
  if (dataOffset > bytes.length) bad('truncated header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, dataOffset));
  const descrMatch = /'descr'\s*:\s*(?:'([^']*)'|(\[))/.exec(text);
  const fortranMatch = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shapeMatch = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descrMatch || !fortranMatch || !shapeMatch) bad(`unreadable header ${JSON.stringify(text.trim())}`);
  if (descrMatch![2] !== undefined) {
    throw new InputError(`${where}: structured dtypes are not supported (header ${text.trim()})`);
  }
  const descr = descrMatch![1]!;
  const shape = shapeMatch![1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) bad(`bad shape (${shapeMatch![1]})`);
      return n;
    });
  const order = descr[0]!;
  const code = /^[<>|=]/.test(descr) ? descr.slice(1) : descr;
  if (code === 'O') {
    throw new InputError(
      `${where}: holds an object array (dtype 'O', stored with pickle); recordflow does not unpickle — ` +
        'save it with a numeric dtype (np.asarray(x, dtype=...))',
    );
  }
  const info = DTYPES[code];
  if (info === undefined) {
    throw new InputError(`${where}: dtype '${descr}' is not supported (supported: ${NPY_DTYPES.join(', ')})`);
  }
  const bigEndian = order === '>' && info.size > 1;
  let count = 1;
  for (const d of shape) count *= d;
  return {
    descr,
    dtype: info.name,
    itemSize: info.size,
    bigEndian,
    fortranOrder: fortranMatch![1] === 'True',
    shape,
    dataOffset,
    count,
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

/** The C-order copy of an array stored in Fortran (column-major) order. */
export function fortranToC(data: TypedArray, shape: number[]): TypedArray {
  const n = shape.length;
  if (n <= 1) return data;
  const out = new (data.constructor as Ctor)(data.length);
  // strides of the Fortran layout, walked in C order with an odometer
  const fStride = new Array<number>(n);
  let s = 1;
  for (let d = 0; d < n; d++) {
    fStride[d] = s;
    s *= shape[d]!;
  }
  const idx = new Array<number>(n).fill(0);
  let src = 0;
  const last = n - 1;
  const lastLen = shape[last]!;
  const lastStride = fStride[last]!;
  const src0 = data as unknown as { [i: number]: number | bigint };
  const dst = out as unknown as { [i: number]: number | bigint };
  for (let o = 0; o < data.length; ) {
    for (let k = 0; k < lastLen; k++) dst[o++] = src0[src + k * lastStride]!;
    // advance the odometer on the leading dims
    let d = last - 1;
    while (d >= 0) {
      idx[d]!++;
      src += fStride[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= fStride[d]! * shape[d]!;
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
