// parseExample: tf.io.parse_single_example's contract on top of decodeExample. FixedLen features
// must hold exactly prod(shape) values (or take the default when missing); VarLen features give
// all their values (TensorFlow's SparseTensor values), empty when missing.

import { InputError } from '../core/errors.js';
import { NO_KIND, decodeExample, type DecodedFeature, type DecodedFeatures } from './example.js';

/**
 * The dtypes tf.io.parse_example produces: bytes as 'string', float_list as 'float32', int64_list as 'int64'.
 */
export type ParseDtype = 'string' | 'float32' | 'int64';

/**
 * tf.io.FixedLenFeature: a feature of a fixed shape and dtype, with an optional default for records that lack it.
 */
export interface FixedLenSpec {
  readonly kind: 'fixed';
  readonly shape: readonly number[];
  readonly dtype: ParseDtype;
  readonly default?: unknown;
}
/** tf.io.VarLenFeature: a feature of any length (missing: empty). */
export interface VarLenSpec {
  readonly kind: 'var';
  readonly dtype: ParseDtype;
}
/** One entry of a parseExample spec: fixed or variable length. */
export type FeatureSpec = FixedLenSpec | VarLenSpec;

/** Output type of one spec entry. */
export type Parsed<S> = S extends FixedLenSpec
  ? S['dtype'] extends 'float32'
    ? Float32Array
    : S['dtype'] extends 'int64'
      ? BigInt64Array
      : Uint8Array | Uint8Array[]
  : S extends VarLenSpec
    ? S['dtype'] extends 'float32'
      ? Float32Array
      : S['dtype'] extends 'int64'
        ? BigInt64Array
        : Uint8Array[]
    : never;

const DTYPES: readonly ParseDtype[] = ['string', 'float32', 'int64'];

function checkDtype(dtype: unknown): ParseDtype {
  if (!DTYPES.includes(dtype as ParseDtype)) {
    throw new InputError(`feature spec dtype must be one of ${DTYPES.join(', ')}, got ${String(dtype)}`);
  }
  return dtype as ParseDtype;
}

/**
 * A fixed-length feature (tf.io.FixedLenFeature). The default, used when the feature is
 * missing, is a scalar (broadcast to the shape) or an array of prod(shape) values.
 */
export function FixedLen<D extends ParseDtype>(
  shape: readonly number[],
  dtype: D,
  defaultValue?: unknown,
): FixedLenSpec & { dtype: D } {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new InputError(`FixedLen shape must hold non-negative integers, got [${shape}]`);
  }
  checkDtype(dtype);
  const spec = { kind: 'fixed' as const, shape: [...shape], dtype };
  return defaultValue === undefined ? spec : { ...spec, default: defaultValue };
}

/** A variable-length feature (tf.io.VarLenFeature); its values, empty when missing. */
export function VarLen<D extends ParseDtype>(dtype: D): VarLenSpec & { dtype: D } {
  checkDtype(dtype);
  return { kind: 'var', dtype };
}

const TYPE_NAME: Record<ParseDtype, string> = { string: 'bytes_list', float32: 'float_list', int64: 'int64_list' };

function kindName(v: DecodedFeature): string {
  if (v instanceof Float32Array) return 'float_list';
  if (v instanceof BigInt64Array) return 'int64_list';
  return 'bytes_list';
}

function matches(v: DecodedFeature, dtype: ParseDtype): boolean {
  if (v === NO_KIND) return true; // a Feature with no list is empty of any type (as in TF)
  if (dtype === 'float32') return v instanceof Float32Array;
  if (dtype === 'int64') return v instanceof BigInt64Array;
  return Array.isArray(v);
}

function empty(dtype: ParseDtype): DecodedFeature {
  if (dtype === 'float32') return new Float32Array(0);
  if (dtype === 'int64') return new BigInt64Array(0);
  return [];
}

function defaultFor(key: string, spec: FixedLenSpec, size: number): DecodedFeature {
  const d = spec.default;
  const values: unknown[] = Array.isArray(d) || ArrayBuffer.isView(d) && !(d instanceof Uint8Array) ? Array.from(d as ArrayLike<unknown>) : [d];
  const fill = values.length === 1 && size !== 1 ? new Array(size).fill(values[0]) : values;
  if (fill.length !== size) {
    throw new InputError(`feature '${key}': default has ${values.length} values but shape [${spec.shape}] needs ${size}`);
  }
  try {
    if (spec.dtype === 'float32') return Float32Array.from(fill as number[], (x) => Number(x));
    if (spec.dtype === 'int64') return BigInt64Array.from(fill, (x) => BigInt(x as bigint | number));
    return fill.map((x) => {
      if (x instanceof Uint8Array) return x;
      if (typeof x === 'string') return new TextEncoder().encode(x);
      throw new Error('not bytes');
    });
  } catch {
    throw new InputError(`feature '${key}': default value does not fit dtype ${spec.dtype}`);
  }
}

/**
 * Parses one serialized Example (or an already decoded one) by a spec, like
 * tf.io.parse_single_example. FixedLen float32 → Float32Array, int64 → BigInt64Array, string →
 * Uint8Array for shape [] and Uint8Array[] otherwise; VarLen gives all values of the feature.
 * Errors (InputError) name the key: missing without default, wrong type, wrong length.
 *
 * @example
 * const parsed = parseExample(encodeExample({ x: [0.5], tags: ['a', 'b'] }), { x: FixedLen([], 'float32'), tags: VarLen('string') });
 * const x = parsed.x[0]; // 0.5
 */
export function parseExample<S extends Record<string, FeatureSpec>>(
  example: Uint8Array | DecodedFeatures,
  spec: S,
): { [K in keyof S]: Parsed<S[K]> } {
  const features = example instanceof Uint8Array ? decodeExample(example) : example;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(spec)) {
    const s = spec[key]!;
    const dtype = checkDtype(s.dtype);
    const has = Object.prototype.hasOwnProperty.call(features, key);
    const v = has ? features[key]! : undefined;
    if (v !== undefined && !matches(v, dtype)) {
      throw new InputError(
        `feature '${key}': data types don't match: the Example has ${kindName(v)} but the spec expects ${dtype} (${TYPE_NAME[dtype]})`,
      );
    }
    let value: DecodedFeature;
    if (s.kind === 'var') {
      value = v === undefined || v === NO_KIND ? empty(dtype) : v;
    } else {
      let size = 1;
      for (const d of s.shape) size *= d;
      if (v === undefined) {
        if (s.default === undefined) {
          throw new InputError(`feature '${key}' (${dtype}) is required but could not be found`);
        }
        value = defaultFor(key, s, size);
      } else {
        value = v === NO_KIND ? empty(dtype) : v;
        if (value.length !== size) {
          throw new InputError(
            `feature '${key}': has ${value.length} values but FixedLen shape [${s.shape}] needs ${size}`,
          );
        }
      }
      if (dtype === 'string' && s.shape.length === 0) {
        out[key] = (value as Uint8Array[])[0];
        continue;
      }
    }
    out[key] = value;
  }
  return out as { [K in keyof S]: Parsed<S[K]> };
}
