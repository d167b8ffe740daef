// tf.train.Example codec, hand-written for speed (TensorFlow's own fast parser is hand-written
// too). Encoding is byte-identical to protobuf's deterministic serialization; decoding is lenient
// the way protobuf parsers are (unpacked lists, any order, merged repeats, unknown fields).
//
// Wire layout: Example{1: Features}, Features{1: repeated MapEntry{1: key, 2: Feature}},
// Feature{oneof 1: BytesList, 2: FloatList, 3: Int64List}, each list {1: repeated value}.
//
// The codec lives in example-decode.ts / example-lists.ts (decoding) and example-encode.ts.

export {
  NO_KIND,
  type DecodedFeature,
  type DecodedFeatures,
  type FeatureValue,
  type Features,
  type TaggedFeature,
} from './example-types.js';
export { decodeExample, decodeExampleEntries } from './example-decode.js';
export { encodeExample } from './example-encode.js';
