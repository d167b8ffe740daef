// unbatch(): tf.data's unbatch. An array yields its items, a typed array its numbers, a plain
// object one object per position of its components (which must agree on their length).
import { fromChunks, type Chunked } from '../../core/chunks.js';
import { InputError } from '../../core/errors.js';
import { OperatorError } from '../errors.js';
import { eachChunk } from '../source.js';

type AnyTypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** The element type unbatch() yields for a batch of type B. */
export type Unbatched<B> = B extends readonly (infer E)[]
  ? E
  : B extends BigInt64Array | BigUint64Array
    ? bigint
    : B extends AnyTypedArray
      ? number
      : B extends object
        ? { [K in keyof B]: Unbatched<B[K]> }
        : never;

/**
 * Splits each element along its first axis (tf.data's `unbatch`): arrays into their items,
 * typed arrays into their numbers, objects of those component-wise. Undoes `batch`.
 *
 * @example
 * await Dataset.from([[1, 2, 3], [4, 5]]).unbatch().toArray(); // [1, 2, 3, 4, 5]
 * const rows = pipe([{ x: [1, 2], y: new Float32Array([3, 4]) }], unbatch()); // { x: 1, y: 3 }, { x: 2, y: 4 }
 */
export function unbatch<B>() {
  return (source: AsyncIterable<B>): Chunked<Unbatched<B>> =>
    fromChunks(async function* () {
      let index = 0;
      for await (const chunk of eachChunk(source)) {
        const out: unknown[] = [];
        for (const x of chunk) {
          if (Array.isArray(x)) {
            for (const y of x) out.push(y);
          } else if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
            const t = x as unknown as ArrayLike<unknown>;
            for (let i = 0; i < t.length; i++) out.push(t[i]);
          } else {
            let n: number;
            try {
              n = lengthOf(x, '');
            } catch (e) {
              throw new OperatorError('unbatch', index, e);
            }
            for (let i = 0; i < n; i++) out.push(rowOf(x, i));
          }
          index++;
        }
        if (out.length > 0) yield out as Unbatched<B>[];
      }
    });
}

/** Length along axis 0, checking that every component of an object agrees. */
function lengthOf(x: unknown, path: string): number {
  if (Array.isArray(x)) return x.length;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return (x as unknown as ArrayLike<unknown>).length;
  if (x === null || typeof x !== 'object') {
    throw new InputError(`cannot unbatch ${path === '' ? 'a scalar element' : `the scalar component ${path}`}`);
  }
  let n = -1;
  let first = '';
  for (const [k, v] of Object.entries(x)) {
    const m = lengthOf(v, `${path}.${k}`);
    if (n < 0) {
      n = m;
      first = `${path}.${k}`;
    } else if (m !== n) {
      throw new InputError(`components differ in length along axis 0: ${first} has ${n}, ${path}.${k} has ${m}`);
    }
  }
  if (n < 0) throw new InputError(`cannot unbatch an object without components${path === '' ? '' : ` at ${path}`}`);
  return n;
}

function rowOf(x: unknown, i: number): unknown {
  if (Array.isArray(x)) return x[i];
  if (ArrayBuffer.isView(x)) return (x as unknown as ArrayLike<unknown>)[i];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x as object)) out[k] = rowOf(v, i);
  return out;
}
