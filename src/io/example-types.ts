// Types and shared constants of the tf.train.Example codec (example-decode.ts, example-encode.ts).

/** A decoded feature: bytes → zero-copy views, float → Float32Array, int64 → BigInt64Array. */
export type DecodedFeature = Uint8Array[] | Float32Array | BigInt64Array;
/** A decoded tf.train.Example: each feature key with its decoded list. */
export type DecodedFeatures = Record<string, DecodedFeature>;

/** Tagged feature form; `{}` is a Feature with no list set. */
export type TaggedFeature =
  | { bytesList: ArrayLike<Uint8Array | string> }
  | { floatList: ArrayLike<number> }
  | { int64List: ArrayLike<bigint | number> }
  | Record<string, never>;

/**
 * A feature as accepted by encodeExample: bytes `Uint8Array[]` (strings are UTF-8 encoded),
 * float `Float32Array | number[]`, int64 `BigInt64Array | bigint[]` (safe-integer numbers are
 * accepted among bigints), or the tagged form. An empty array is an empty bytes_list.
 */
export type FeatureValue =
  | DecodedFeature
  | readonly (Uint8Array | string)[]
  | readonly number[]
  | readonly (bigint | number)[]
  | TaggedFeature;
/** The features encodeExample takes: each key with any accepted FeatureValue form. */
export type Features = Record<string, FeatureValue>;

/**
 * The value decodeExample gives a Feature with no list set (rare: `tf.train.Feature()`);
 * encodeExample writes it back as such, so round trips stay exact.
 */
export const NO_KIND: Uint8Array[] = Object.freeze([]) as unknown as Uint8Array[];

/** Feature kinds: the Feature oneof's field numbers (0: none set). */
export const KIND_NONE = 0;
export const KIND_BYTES = 1;
export const KIND_FLOAT = 2;
export const KIND_INT64 = 3;
