// Public names of the io room.
export * from '../core/errors.js';
export * from '../core/chunks.js';
export * from './example.js';
export { crc32c, crc32cKernel, crc32cUpdate, maskCrc, maskedCrc32c } from './crc32c.js';
export type { ByteInput } from './byte-source.js';
export { compressionFromName, COMPRESSIONS, type Compression } from './compression.js';
export { readTFRecord, type TFRecordReadOptions, type TFRecordStream, type SkipInfo } from './tfrecord-reader.js';
export { frameRecord, shardName, TFRecordWriter, writeTFRecord, type TFRecordWriteOptions } from './tfrecord-writer.js';
export { indexTFRecord, openTFRecordIndexed, readRecordAt, type IndexedTFRecord, type OpenIndexedOptions, type TFRecordIndex, type TFRecordIndexCache } from './tfrecord-index.js';
export * from './example-json.js';
export * from './parse-example.js';
export * from './events.js';
export { byteSwap, encodeNpyHeader, fortranToC, parseNpyHeader, NPY_DTYPES, type NdArray, type NpyHeader, type TypedArray } from './npy.js';
export { npzRows, readNpz, writeNpz, type NpzRow, type ReadNpzOptions, type WriteNpzOptions } from './npz.js';
export { compareBytewise, expandInputs, expandLocalPattern, expandPattern, expandS3Pattern, hasPattern, segmentMatcher } from './patterns.js';
