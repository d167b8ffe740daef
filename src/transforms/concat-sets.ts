// Step 0.1 of the reference: concatenate the eight sets along axis 0, every key in the same
// set order, so row i of `images` still belongs with row i of `numbers` and `coordinates`.

import { InputError } from '../core/errors.js';
import { formatShape, product, type NdArrayLike, type TypedArray } from './nd-array.js';
import { REFERENCE_ORDER } from './reference-schema.js';

/** Options of concatSets: the order of the sets and which keys to join. */
export interface ConcatOptions {
  /** Set names in concatenation order (default REFERENCE_ORDER). */
  order?: readonly string[];
  /** Keys to concatenate (default: every key of the first set). */
  keys?: readonly string[];
}

type TypedArrayCtor = new (length: number) => TypedArray;

/**
 * Concatenates arrays of several sets along axis 0. All sets must hold every key with the same
 * dtype and the same trailing shape; anything else is an InputError naming the set and key.
 */
export function concatSets(
  sets: Readonly<Record<string, Readonly<Record<string, NdArrayLike>>>>,
  options: ConcatOptions = {},
): Record<string, NdArrayLike> {
  const order = options.order ?? REFERENCE_ORDER;
  if (order.length === 0) throw new InputError('concatSets: no sets to concatenate');
  for (const name of order) {
    if (sets[name] === undefined) throw new InputError(`concatSets: missing set ${name}`);
  }
  const first = sets[order[0]!]!;
  const keys = options.keys ?? Object.keys(first);
  const out: Record<string, NdArrayLike> = {};
  for (const key of keys) {
    const parts = order.map((name) => {
      const a = sets[name]![key];
      if (a === undefined) throw new InputError(`set ${name} has no key '${key}'`);
      if (a.shape.length === 0) throw new InputError(`set ${name}: '${key}' is a scalar, cannot concatenate along axis 0`);
      if (a.data.length !== product(a.shape)) {
        throw new InputError(`set ${name}: '${key}' holds ${a.data.length} values but its shape is ${formatShape(a.shape)}`);
      }
      return { name, a };
    });
    const ref = parts[0]!.a;
    const tail = ref.shape.slice(1);
    let rows = 0;
    for (const { name, a } of parts) {
      if (a.dtype !== ref.dtype) {
        throw new InputError(`set ${name}: '${key}' has dtype ${a.dtype}, but ${order[0]} has ${ref.dtype}`);
      }
      const t = a.shape.slice(1);
      if (t.length !== tail.length || t.some((d, i) => d !== tail[i])) {
        throw new InputError(
          `set ${name}: '${key}' has shape ${formatShape(a.shape)}, incompatible with ${formatShape(ref.shape)} of ${order[0]}`,
        );
      }
      rows += a.shape[0]!;
    }
    const data = new (ref.data.constructor as TypedArrayCtor)(rows * product(tail));
    let at = 0;
    for (const { a } of parts) {
      (data as Uint8Array).set(a.data as Uint8Array, at);
      at += a.data.length;
    }
    out[key] = { dtype: ref.dtype, shape: [rows, ...tail], data };
  }
  return out;
}
