// tf.io.decode_raw + reshape: raw little-endian bytes → a typed array with a shape. uint8 data is
// returned as a zero-copy view; wider types are viewed when aligned, copied otherwise.

import { InputError } from '../core/errors.js';
import { formatShape, kindOf, type NdArrayLike, type TypedArray } from './nd-array.js';

/** The dtypes decodeRaw reinterprets bytes as, named as tf.io.decode_raw names them. */
export type RawDtype =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'float32'
  | 'float64'
  | 'int64'
  | 'uint64';

interface DtypeInfo {
  size: number;
  make: (buffer: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
}

const DTYPES: Record<RawDtype, DtypeInfo> = {
  uint8: { size: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  int8: { size: 1, make: (b, o, n) => new Int8Array(b, o, n) },
  uint16: { size: 2, make: (b, o, n) => new Uint16Array(b, o, n) },
  int16: { size: 2, make: (b, o, n) => new Int16Array(b, o, n) },
  uint32: { size: 4, make: (b, o, n) => new Uint32Array(b, o, n) },
  int32: { size: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  float32: { size: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  float64: { size: 8, make: (b, o, n) => new Float64Array(b, o, n) },
  int64: { size: 8, make: (b, o, n) => new BigInt64Array(b, o, n) },
  uint64: { size: 8, make: (b, o, n) => new BigUint64Array(b, o, n) },
};

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Resolves one -1 in a target shape against an element count, as reshape does. */
function resolveShape(shape: readonly number[], count: number): number[] {
  let known = 1;
  let wildcard = -1;
  shape.forEach((d, i) => {
    if (d === -1) {
      if (wildcard >= 0) throw new InputError(`decodeRaw: shape ${formatShape(shape)} has more than one -1`);
      wildcard = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new InputError(`decodeRaw: bad dimension ${d} in shape ${formatShape(shape)}`);
    } else {
      known *= d;
    }
  });
  const out = [...shape];
  if (wildcard >= 0) {
    if (known === 0 || count % known !== 0) {
      throw new InputError(`decodeRaw: ${count} values cannot be reshaped to ${formatShape(shape)}`);
    }
    out[wildcard] = count / known;
  } else if (known !== count) {
    throw new InputError(`decodeRaw: ${count} values cannot be reshaped to ${formatShape(shape)} (needs ${known})`);
  }
  return out;
}

/**
 * Decodes raw bytes as `dtype` (little-endian, like tf.io.decode_raw's default) and gives them
 * `shape` (one dimension may be -1). Throws InputError when the byte count does not fit.
 *
 * @example
 * const frame = decodeRaw(new Uint8Array(768), [24, 32, 1]); // uint8 view, no copy
 */
export function decodeRaw(bytes: Uint8Array, shape: readonly number[], dtype: RawDtype = 'uint8'): NdArrayLike {
  if (!(bytes instanceof Uint8Array)) throw new InputError(`decodeRaw: expected Uint8Array bytes, got ${kindOf(bytes)}`);
  const info = DTYPES[dtype];
  if (info === undefined) throw new InputError(`decodeRaw: unsupported dtype '${String(dtype)}'`);
  if (bytes.byteLength % info.size !== 0) {
    throw new InputError(`decodeRaw: ${bytes.byteLength} bytes is not a whole number of ${dtype} values (${info.size} bytes each)`);
  }
  const count = bytes.byteLength / info.size;
  const resolved = resolveShape(shape, count);
  let data: TypedArray;
  if (info.size === 1 || (bytes.byteOffset % info.size === 0 && LITTLE_ENDIAN_HOST)) {
    data = info.make(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  } else if (LITTLE_ENDIAN_HOST) {
    const copy = bytes.slice();
    data = info.make(copy.buffer as ArrayBuffer, 0, count);
  } else {
    // Big-endian host: swap each value's bytes into a fresh buffer.
    const copy = new Uint8Array(bytes.byteLength);
    for (let i = 0; i < bytes.byteLength; i += info.size) {
      for (let k = 0; k < info.size; k++) copy[i + k] = bytes[i + info.size - 1 - k]!;
    }
    data = info.make(copy.buffer, 0, count);
  }
  return { dtype, shape: resolved, data };
}
