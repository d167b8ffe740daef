// Padding a batch the way tf.data's padded_batch does: every component of the element
// structure is padded on its own, along every axis, to its padded shape (-1 = the largest in
// the batch), and stacked under a new leading batch axis; a value longer than a fixed padded
// shape is an error naming the element, never truncated.
//
// JavaScript has no tuple type, so the structure is read this way: plain objects are always
// structure; an array of numbers (or a typed array) is a 1-D tensor; an array holding anything
// else is a tuple. Where paddedShapes is given, it decides: an array of numbers there is the
// shape of a tensor of that rank (so [-1, 80] makes a nested number[][] one 2-D component), any
// other array a tuple. paddedBatch and bucketBySequenceLength share this module.
import { InputError } from '../core/errors.js';
import { OperatorError } from './errors.js';

/**
 * A padded shape: one extent per axis (-1, or null as tf.data's None, = the batch maximum); a
 * number n means [n].
 */
export type PaddedShape = number | readonly (number | null)[];

/**
 * Padded shapes for an element structure: a shape for a tensor, an array of those for a tuple,
 * an object of those for an object; null leaves a component's shape to its values.
 */
export type PaddedShapes = PaddedShape | null | readonly PaddedShapes[] | { readonly [key: string]: PaddedShapes };

/** Padding values: one value for a whole (sub)structure, or a tuple/object of them. */
export type PaddingValues = number | bigint | readonly PaddingValues[] | { readonly [key: string]: PaddingValues };

type Typed =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** What paddedBatch makes of a batch of elements of type T: the same structure, batched. */
export type Padded<T> = T extends number | bigint | string | boolean | null | undefined
  ? T[]
  : T extends Typed
    ? T[]
    : T extends readonly (number | bigint)[]
      ? T[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Padded<T[K]> }
        : T extends object
          ? { -readonly [K in keyof T]: Padded<T[K]> }
          : T[];

type Spec =
  | { kind: 'tensor'; rank: number; shape: readonly number[] | undefined; path: string }
  | { kind: 'tuple'; items: Spec[]; path: string }
  | { kind: 'object'; keys: string[]; items: Spec[]; path: string };

const isTyped = (x: unknown): x is Typed => ArrayBuffer.isView(x) && !(x instanceof DataView);
const isNumeric = (x: unknown): boolean => typeof x === 'number' || typeof x === 'bigint';
const isShape = (x: unknown): x is PaddedShape => typeof x === 'number' || (Array.isArray(x) && x.every((d) => typeof d === 'number' || d === null));
const isPlainObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && !isTyped(x);
const label = (path: string): string => (path === '' ? 'the element' : `component ${path}`);

/** Checks padded shapes once, when the operator is made. */
export function checkPaddedShapes(shapes: PaddedShapes | undefined, path = ''): void {
  if (shapes === undefined || shapes === null) return;
  if (isShape(shapes)) {
    for (const d of typeof shapes === 'number' ? [shapes] : shapes) {
      if (d !== null && !(Number.isInteger(d) && d >= -1)) throw new InputError(`paddedShapes: ${label(path)}: extents must be integers >= 0 or -1, got ${d}`);
    }
  } else if (Array.isArray(shapes)) shapes.forEach((s, i) => checkPaddedShapes(s as PaddedShapes, `${path}[${i}]`));
  else if (isPlainObject(shapes)) for (const [k, s] of Object.entries(shapes)) checkPaddedShapes(s as PaddedShapes, `${path}.${k}`);
  else throw new InputError(`paddedShapes: ${label(path)}: expected a shape, an array or an object, got ${String(shapes)}`);
}

/** The structure of one element, read from paddedShapes where given, else from the value. */
export function specOf(value: unknown, shapes: PaddedShapes | undefined, path = ''): Spec {
  if (shapes !== undefined && shapes !== null) {
    if (isShape(shapes)) {
      const shape = typeof shapes === 'number' ? [shapes] : shapes.map((d) => d ?? -1);
      return { kind: 'tensor', rank: shape.length, shape, path };
    }
    if (Array.isArray(shapes)) {
      if (!Array.isArray(value) || value.length !== shapes.length) {
        throw new InputError(`${label(path)} should be a tuple of ${shapes.length} components, as paddedShapes says`);
      }
      return { kind: 'tuple', items: shapes.map((s, i) => specOf(value[i], s as PaddedShapes, `${path}[${i}]`)), path };
    }
    const keys = Object.keys(shapes);
    if (!isPlainObject(value)) throw new InputError(`${label(path)} should be an object with ${keys.join(', ')}, as paddedShapes says`);
    for (const k of Object.keys(value)) if (!(k in shapes)) throw new InputError(`paddedShapes gives no shape for component ${path}.${k}`);
    const obj = shapes as { readonly [key: string]: PaddedShapes };
    return { kind: 'object', keys, items: keys.map((k) => specOf(value[k], obj[k], `${path}.${k}`)), path };
  }
  if (isTyped(value)) return { kind: 'tensor', rank: 1, shape: undefined, path };
  if (Array.isArray(value)) {
    if (value.every(isNumeric)) return { kind: 'tensor', rank: 1, shape: undefined, path };
    return { kind: 'tuple', items: value.map((v, i) => specOf(v, undefined, `${path}[${i}]`)), path };
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    return { kind: 'object', keys, items: keys.map((k) => specOf(value[k], undefined, `${path}.${k}`)), path };
  }
  return { kind: 'tensor', rank: 0, shape: [], path };
}

/** The padding value of a component: the nearest value given on its path, else 0. */
function paddingAt(values: PaddingValues | undefined, step: string | number): PaddingValues | undefined {
  if (values === undefined || isNumeric(values)) return values;
  if (Array.isArray(values)) {
    if (typeof step !== 'number' || step >= values.length) throw new InputError('paddingValues does not match the element structure');
    return values[step] as PaddingValues;
  }
  if (typeof step !== 'string' || !(step in (values as object))) throw new InputError(`paddingValues gives no value for component .${String(step)}`);
  return (values as { readonly [key: string]: PaddingValues })[step];
}

/**
 * Pads and stacks a batch (tf.data's padded_batch of one batch). `indices` are the stream
 * positions of the batch's elements (or the first one's, when they are consecutive), so errors
 * name the element; `operator` names the operator in them.
 */
export function padBatch<T>(
  batch: readonly T[], indices: number | readonly number[], shapes: PaddedShapes | undefined, values: PaddingValues | undefined, operator: string,
): Padded<T> {
  const at: At = typeof indices === 'number' ? (e) => indices + e : (e) => indices[e] as number;
  let spec: Spec;
  try {
    spec = specOf(batch[0], shapes);
  } catch (e) {
    throw new OperatorError(operator, at(0), e);
  }
  return stack(spec, batch as readonly unknown[], values, at, operator) as Padded<T>;
}

/**
 * The padded shapes of an element's structure (paddedShapes where given, else read from the
 * value) with every -1 replaced by `fill`: bucket_by_sequence_length's pad_to_bucket_boundary.
 */
export function boundedShapes(value: unknown, shapes: PaddedShapes | undefined, fill: number): PaddedShapes {
  const walk = (spec: Spec): PaddedShapes =>
    spec.kind === 'tensor'
      ? (spec.shape ?? new Array<number>(spec.rank).fill(-1)).map((d) => (d < 0 ? fill : d))
      : spec.kind === 'tuple'
        ? spec.items.map(walk)
        : Object.fromEntries(spec.keys.map((k, i) => [k, walk(spec.items[i] as Spec)]));
  return walk(specOf(value, shapes));
}

/** The stream index of a batch's e-th element. */
type At = (e: number) => number;

function stack(spec: Spec, parts: readonly unknown[], values: PaddingValues | undefined, at: At, operator: string): unknown {
  if (spec.kind === 'tuple') {
    const columns = spec.items.map((): unknown[] => []);
    parts.forEach((v, e) => {
      if (!Array.isArray(v) || v.length !== spec.items.length) {
        throw new OperatorError(operator, at(e), new InputError(`${label(spec.path)} is not a tuple of ${spec.items.length} like the first element of its batch`));
      }
      for (let i = 0; i < v.length; i++) (columns[i] as unknown[]).push(v[i]);
    });
    return spec.items.map((s, i) => stack(s, columns[i] as unknown[], paddingAt(values, i), at, operator));
  }
  if (spec.kind === 'object') {
    const out: Record<string, unknown> = {};
    spec.keys.forEach((k, i) => {
      const column = parts.map((v, e) => {
        if (!isPlainObject(v) || !(k in v)) {
          throw new OperatorError(operator, at(e), new InputError(`${label(spec.path)} lacks component ${spec.path}.${k}`));
        }
        return v[k];
      });
      out[k] = stack(spec.items[i] as Spec, column, paddingAt(values, k), at, operator);
    });
    return out;
  }
  if (values !== undefined && !isNumeric(values)) throw new OperatorError(operator, at(0), new InputError(`paddingValues for ${label(spec.path)} must be one number`));
  return padTensors(spec, parts, (values ?? 0) as number | bigint, at, operator);
}

function padTensors(
  spec: Extract<Spec, { kind: 'tensor' }>, parts: readonly unknown[], pad: number | bigint, at: At, operator: string,
): unknown[] {
  const rank = spec.rank;
  if (rank === 0) {
    parts.forEach((v, e) => {
      if (Array.isArray(v) || isTyped(v) || isPlainObject(v)) {
        throw new OperatorError(operator, at(e), new InputError(`${label(spec.path)} should be a scalar like the first element of its batch`));
      }
    });
    return [...parts];
  }
  if (rank === 1) return padVectors(spec, parts, pad, at, operator);
  // The target extent of every axis: the given one, or the batch maximum.
  const target: number[] = new Array<number>(rank).fill(0);
  parts.forEach((v, e) => {
    let ext: number[];
    try {
      ext = extentsOf(v, rank, spec.path);
    } catch (err) {
      throw new OperatorError(operator, at(e), err);
    }
    for (let a = 0; a < rank; a++) {
      const fixed = spec.shape?.[a] ?? -1;
      const n = ext[a] as number;
      if (fixed >= 0 && n > fixed) {
        throw new OperatorError(operator, at(e), new InputError(
          `${label(spec.path)} is ${n} long along axis ${a}, more than its padded shape ${fixed} (values are never truncated)`));
      }
      if (n > (target[a] as number)) target[a] = n;
    }
  });
  for (let a = 0; a < rank; a++) {
    const fixed = spec.shape?.[a] ?? -1;
    if (fixed >= 0) target[a] = fixed;
  }
  // Innermost vectors keep the typed-array type of the first element's, if it has one.
  let inner: unknown = parts[0];
  for (let a = 1; a < rank && inner !== undefined; a++) inner = (inner as ArrayLike<unknown>)[0];
  const ctor = isTyped(inner) ? (inner.constructor as TypedCtor) : undefined;
  return parts.map((v) => padOne(v, target, 0, pad, ctor));
}

/** Rank 1, the common case (token ids, frames of one row), in two plain loops per element. */
function padVectors(
  spec: Extract<Spec, { kind: 'tensor' }>, parts: readonly unknown[], pad: number | bigint, at: At, operator: string,
): unknown[] {
  const fixed = spec.shape?.[0] ?? -1;
  let max = 0;
  for (let e = 0; e < parts.length; e++) {
    const v = parts[e];
    const plain = Array.isArray(v);
    if (!plain && !isTyped(v)) throw new OperatorError(operator, at(e), new InputError(`${label(spec.path)} should have rank 1 but has rank 0`));
    const n = (v as ArrayLike<unknown>).length;
    if (plain) {
      for (let i = 0; i < n; i++) {
        const x = (v as unknown[])[i];
        if (typeof x !== 'number' && typeof x !== 'bigint') {
          throw new OperatorError(operator, at(e), new InputError(`${label(spec.path)} holds ${Array.isArray(x) ? 'an array' : typeof x} where a number belongs (rank 1)`));
        }
      }
    }
    if (fixed >= 0 && n > fixed) {
      throw new OperatorError(operator, at(e), new InputError(
        `${label(spec.path)} is ${n} long along axis 0, more than its padded shape ${fixed} (values are never truncated)`));
    }
    if (n > max) max = n;
  }
  const len = fixed >= 0 ? fixed : max;
  const first = parts[0];
  if (isTyped(first)) {
    const ctor = first.constructor as TypedCtor;
    return parts.map((v) => padOne(v, [len], 0, pad, ctor));
  }
  const out = new Array<unknown[]>(parts.length);
  for (let e = 0; e < parts.length; e++) {
    const v = parts[e] as ArrayLike<unknown>;
    // Allocated at its final size and filled in order: growing it by push reallocates on the
    // way, and setting .length on an empty array costs about 4x the allocation (measured).
    const row = new Array<unknown>(len);
    const n = v.length;
    for (let i = 0; i < n; i++) row[i] = v[i];
    for (let i = n; i < len; i++) row[i] = pad;
    out[e] = row;
  }
  return out;
}

/** The extent of each axis of a rectangular nested array (or typed array innermost). */
function extentsOf(v: unknown, rank: number, path: string): number[] {
  const ext: number[] = [];
  let level: unknown = v;
  for (let a = 0; a < rank; a++) {
    if (!Array.isArray(level) && !isTyped(level)) throw new InputError(`${label(path)} should have rank ${rank} but has rank ${a}`);
    ext.push((level as ArrayLike<unknown>).length);
    level = (level as ArrayLike<unknown>)[0];
  }
  checkRectangular(v, ext, 0, rank, path);
  return ext;
}

function checkRectangular(v: unknown, ext: readonly number[], a: number, rank: number, path: string): void {
  const arr = v as ArrayLike<unknown>;
  if (a === rank - 1) {
    if (!isTyped(arr)) for (let i = 0; i < arr.length; i++) {
      if (!isNumeric(arr[i])) throw new InputError(`${label(path)} holds ${Array.isArray(arr[i]) ? 'an array' : typeof arr[i]} where a number belongs (rank ${rank})`);
    }
    return;
  }
  for (let i = 0; i < arr.length; i++) {
    const sub = arr[i];
    if ((!Array.isArray(sub) && !isTyped(sub)) || (sub as ArrayLike<unknown>).length !== ext[a + 1]) {
      throw new InputError(`${label(path)} is not rectangular: rows along axis ${a + 1} differ in length`);
    }
    checkRectangular(sub, ext, a + 1, rank, path);
  }
}

type TypedCtor = new (length: number) => Typed;

function padOne(v: unknown, target: readonly number[], a: number, pad: number | bigint, ctor: TypedCtor | undefined): unknown {
  const src = v as ArrayLike<unknown>;
  const n = target[a] as number;
  if (a === target.length - 1) {
    if (ctor) {
      const out = new ctor(n);
      const p = out instanceof BigInt64Array || out instanceof BigUint64Array ? BigInt(pad) : Number(pad);
      const fill = out as unknown as { [i: number]: unknown; fill(v: unknown, start: number): unknown };
      if (isTyped(src) && src.constructor === ctor) out.set(src as never);
      else for (let i = 0; i < src.length; i++) fill[i] = src[i];
      if (src.length < n) fill.fill(p, src.length);
      return out;
    }
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = i < src.length ? src[i] : pad;
    return out;
  }
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = padOne(i < src.length ? src[i] : [], target, a + 1, pad, ctor);
  return out;
}
