// .npz files (numpy.savez / savez_compressed): a zip of .npy members. Our own small zip reader
// reads each member straight into a buffer of its own and the arrays are views of it, so a file
// costs about its size in memory once (jszip holds the whole zip plus copies; npyjs needs one
// ArrayBuffer per .npy and cannot read big-endian data).

import { constants as bufferConstants } from 'node:buffer';
import { rename, open, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import * as zlib from 'node:zlib';
import { fromChunks, type Chunked } from '../core/chunks.js';
import { InputError, RecordflowError } from '../core/errors.js';
import {
  byteSwap,
  dtypeInfo,
  encodeNpyHeader,
  fortranToC,
  parseNpyHeader,
  typedArrayOver,
  type NdArray,
  type TypedArray,
} from './npy.js';
import { entryDataOffset, openZipFile, readZipDirectory, zipFromBytes, type ZipEntry, type ZipSource } from './zip-reader.js';
import { ZipWriter } from './zip-writer.js';

export type { NdArray, TypedArray } from './npy.js';

/** Options of readNpz: which arrays to read and whether to check their CRCs. */
export interface ReadNpzOptions {
  /** Only these arrays (in this order); a missing key is an InputError. Default: all. */
  keys?: readonly string[];
  /** Check each member's CRC-32 (default true, as Python's zipfile does). */
  verify?: boolean;
  /** Deflated members with more compressed bytes than this inflate as a stream (default 16 MiB). */
  streamInflateAbove?: number;
}

const crc32: (data: Uint8Array, value?: number) => number =
  (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32 ?? crc32Fallback;

function crc32Fallback(data: Uint8Array, value = 0): number {
  // Used only on Node versions without zlib.crc32 (< 20.15): table-driven CRC-32.
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crcUpdate(crc: number, block: Uint8Array): number {
  return block.length > 0 ? crc32(block, crc) : crc;
}

/** Members above this size are inflated as a stream, so the compressed bytes are never all held. */
const STREAM_INFLATE_ABOVE = 16 << 20;

async function inflateMember(
  src: ZipSource,
  start: number,
  entry: ZipEntry,
  where: string,
  streamAbove: number,
): Promise<{ npy: Uint8Array; crc: number }> {
  const size = entry.size;
  const corrupt = (err: unknown): InputError =>
    new InputError(`${where}: corrupt deflate data (${(err as Error).message})`, undefined, { cause: err });
  const tooMuch = (): InputError => new InputError(`${where}: inflates to more than the ${size} bytes the directory says`);
  if (entry.compressedSize <= streamAbove) {
    const raw = await src.read(start, entry.compressedSize);
    let out: Buffer;
    try {
      // One output chunk of the known size: zlib then returns that buffer without a concat copy.
      // zlib stops as soon as the output passes the declared size (a deflate bomb is never
      // inflated in full).
      out = zlib.inflateRawSync(raw, { chunkSize: Math.max(1024, size + 1), maxOutputLength: size + 1 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooMuch();
      throw corrupt(err);
    }
    if (out.length !== size) throw new InputError(`${where}: inflated to ${out.length} bytes, the directory says ${size}`);
    return { npy: out, crc: crcUpdate(0, out) };
  }
  // Large members: compressed blocks stream through zlib into one buffer of the final size.
  const npy = new Uint8Array(new ArrayBuffer(size));
  let pos = 0;
  let crc = 0;
  let failure: unknown = null;
  const inf = zlib.createInflateRaw({ chunkSize: 1 << 20 });
  const ended = new Promise<void>((resolve, reject) => {
    inf.on('data', (c: Buffer) => {
      if (pos + c.length > size) {
        failure = tooMuch();
        inf.destroy();
        return;
      }
      npy.set(c, pos);
      crc = crcUpdate(crc, c);
      pos += c.length;
    });
    inf.on('end', resolve);
    inf.on('close', resolve);
    inf.on('error', (err) => reject(corrupt(err)));
  });
  ended.catch(() => {});
  await src.stream(start, entry.compressedSize, (block) => {
    if (failure !== null || inf.destroyed) return;
    // the callback fires once zlib has consumed the block, so the reader may reuse it; on a
    // zlib error it may never fire, and `ended` rejects instead
    const written = new Promise<void>((resolve, reject) => inf.write(block, (err) => (err ? reject(corrupt(err)) : resolve())));
    written.catch(() => {});
    return Promise.race([written, ended]);
  });
  if (!inf.destroyed) inf.end();
  await ended;
  if (failure !== null) throw failure;
  if (pos !== size) throw new InputError(`${where}: inflated to ${pos} bytes, the directory says ${size}`);
  return { npy, crc };
}

/** Deflate's best ratio is about 1032:1; a directory claiming more describes no real member. */
const MAX_DEFLATE_RATIO = 1032;

/**
 * The directory's sizes bound what is allocated for a member, so they are checked first: within
 * the largest buffer, and (deflated) no more than deflate can produce from the compressed bytes.
 */
function checkDeclaredSizes(entry: ZipEntry, where: string): void {
  if (entry.size > bufferConstants.MAX_LENGTH) {
    throw new InputError(`${where}: the directory says ${entry.size} bytes, more than one buffer holds (${bufferConstants.MAX_LENGTH})`);
  }
  if (entry.method === 8 && entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 64) {
    throw new InputError(
      `${where}: the directory says ${entry.size} bytes from ${entry.compressedSize} compressed, more than deflate can produce`,
    );
  }
}

async function loadMember(
  src: ZipSource,
  entry: ZipEntry,
  key: string,
  options: ReadNpzOptions,
  fromUser: boolean,
): Promise<NdArray> {
  const verify = options.verify !== false;
  const where = `${src.name}: array '${key}'`;
  if (entry.flags & 1) throw new InputError(`${where} is encrypted`);
  checkDeclaredSizes(entry, where);
  const start = await entryDataOffset(src, entry);
  let npy: Uint8Array;
  let crc = 0;
  let owned = !fromUser;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new InputError(`${where}: stored member with differing sizes`);
    npy = await src.readBlocks(start, entry.size, verify ? (b) => (crc = crcUpdate(crc, b)) : () => {});
  } else if (entry.method === 8) {
    ({ npy, crc } = await inflateMember(src, start, entry, where, options.streamInflateAbove ?? STREAM_INFLATE_ABOVE));
    owned = true;
  } else {
    throw new InputError(`${where}: unsupported zip compression method ${entry.method}`);
  }
  if (verify && crc >>> 0 !== entry.crc32 >>> 0) {
    throw new InputError(`${where}: CRC-32 mismatch (the file is corrupt)`);
  }
  const h = parseNpyHeader(npy, where);
  const nbytes = h.count * h.itemSize;
  if (h.dataOffset + nbytes > npy.length) {
    throw new InputError(`${where}: holds ${npy.length - h.dataOffset} data bytes, shape (${h.shape}) needs ${nbytes}`);
  }
  if ((h.bigEndian || h.fortranOrder) && !owned) npy = npy.slice();
  if (h.bigEndian) byteSwap(npy.subarray(h.dataOffset, h.dataOffset + nbytes), h.itemSize);
  let data = typedArrayOver(h.dtype, npy, h.dataOffset, h.count);
  if (h.fortranOrder) data = fortranToC(data, h.shape);
  return { dtype: h.dtype, shape: h.shape, data };
}

/**
 * Reads a .npz (path or bytes) into typed arrays: stored and deflated members, ZIP64, bool
 * (Uint8Array), big-endian dtypes (byte-swapped), Fortran order (returned in C order), int64 as
 * BigInt64Array. Object (pickled) arrays are refused with an InputError naming file and key.
 *
 * @example
 * const arrays = await readNpz('dataset1_origin.npz', { keys: ['images'] });
 * console.log(arrays['images']!.shape); // e.g. [424, 24, 32]
 */
export async function readNpz(source: string | Uint8Array, options: ReadNpzOptions = {}): Promise<Record<string, NdArray>> {
  const fromUser = typeof source !== 'string';
  const src = typeof source === 'string' ? await openZipFile(source) : zipFromBytes(source);
  try {
    const entries = await readZipDirectory(src);
    const members = new Map<string, ZipEntry>();
    for (const e of entries) if (e.name.endsWith('.npy')) members.set(e.name.slice(0, -4), e);
    const keys = options.keys ?? [...members.keys()];
    const out: Record<string, NdArray> = {};
    for (const key of keys) {
      const entry = members.get(key);
      if (entry === undefined) {
        throw new InputError(`no array '${key}' (the file has: ${[...members.keys()].join(', ') || 'none'})`, src.name);
      }
      const arr = await loadMember(src, entry, key, options, fromUser);
      Object.defineProperty(out, key, { value: arr, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } finally {
    await src.close();
  }
}

/** One row of an npz: each key's row along axis 0 as a typed-array view. */
export type NpzRow = Record<string, TypedArray>;

const ROWS_PER_CHUNK = 256;

/** A function building row objects with fixed keys (an object literal: one hidden class, fast). */
function rowMaker(names: string[]): (v: TypedArray[]) => NpzRow {
  const generic = (v: TypedArray[]): NpzRow => {
    const row: NpzRow = {};
    names.forEach((k, j) => Object.defineProperty(row, k, { value: v[j], enumerable: true, writable: true, configurable: true }));
    return row;
  };
  if (names.includes('__proto__')) return generic;
  const body = names.map((k, j) => `${JSON.stringify(k)}: v[${j}]`).join(', ');
  try {
    return new Function('v', `return { ${body} };`) as (v: TypedArray[]) => NpzRow;
  } catch {
    return generic; // code generation disallowed
  }
}

/**
 * The rows of an npz along axis 0: one object per row whose fields are typed-array VIEWS of that
 * row (no copies); 0-d arrays appear in every row as their 1-element data. All other arrays must
 * have the same length along axis 0.
 *
 * @example
 * for await (const row of npzRows('localization.npz', ['images', 'coordinates'])) console.log(row['images']!.length);
 */
export function npzRows(source: string | Uint8Array, keys?: readonly string[]): Chunked<NpzRow> {
  return fromChunks(async function* () {
    const arrays = await readNpz(source, keys === undefined ? {} : { keys });
    const names = Object.keys(arrays);
    const name = typeof source === 'string' ? source : '<bytes>';
    let n = -1;
    let first = '';
    for (const k of names) {
      const a = arrays[k]!;
      if (a.shape.length === 0) continue;
      if (n < 0) {
        n = a.shape[0]!;
        first = k;
      } else if (a.shape[0] !== n) {
        throw new InputError(`arrays differ along axis 0: '${first}' has ${n} rows, '${k}' has ${a.shape[0]}`, name);
      }
    }
    if (n <= 0) return;
    const rowLen = names.map((k) => {
      const a = arrays[k]!;
      return a.shape.length === 0 ? -1 : a.shape.slice(1).reduce((x, y) => x * y, 1);
    });
    const datas = names.map((k) => arrays[k]!.data);
    const makeRow = rowMaker(names);
    const ctors = datas.map((d) => d.constructor as new (b: ArrayBufferLike, o: number, n: number) => TypedArray);
    const views: TypedArray[] = new Array(names.length);
    for (let start = 0; start < n; start += ROWS_PER_CHUNK) {
      const end = Math.min(n, start + ROWS_PER_CHUNK);
      const chunk: NpzRow[] = new Array(end - start);
      for (let i = start; i < end; i++) {
        for (let j = 0; j < names.length; j++) {
          const len = rowLen[j]!;
          const d = datas[j]!;
          // the constructor form of a view is cheaper than subarray() (no species lookup)
          views[j] = len < 0 ? d : new ctors[j]!(d.buffer, d.byteOffset + i * len * d.BYTES_PER_ELEMENT, len);
        }
        chunk[i - start] = makeRow(views);
      }
      yield chunk;
    }
  });
}

/** Options of writeNpz (numpy.savez by default, savez_compressed with `compress`). */
export interface WriteNpzOptions {
  /** Deflate members (numpy.savez_compressed); default false (numpy.savez). */
  compress?: boolean;
  /** Write ZIP64 records even for small files (tests; numpy reads both). */
  forceZip64?: boolean;
}

function checkArray(key: string, a: NdArray): { header: Uint8Array; body: Uint8Array } {
  const info = a === null || typeof a !== 'object' ? undefined : dtypeInfo(a.dtype);
  if (info === undefined) throw new InputError(`writeNpz: array '${key}' has unsupported dtype '${a?.dtype}'`);
  if (!(a.data instanceof info.ctor)) {
    throw new InputError(`writeNpz: array '${key}' (${a.dtype}) needs a ${info.ctor.name}, got ${a.data?.constructor?.name}`);
  }
  if (!Array.isArray(a.shape) || a.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new InputError(`writeNpz: array '${key}' has a bad shape [${a.shape}]`);
  }
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (count !== a.data.length) {
    throw new InputError(`writeNpz: array '${key}' has ${a.data.length} values but shape [${a.shape}] needs ${count}`);
  }
  return {
    header: encodeNpyHeader(a.dtype, a.shape),
    body: new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength),
  };
}

/**
 * Writes arrays as an .npz numpy can load, under a temporary name renamed on success.
 *
 * @example
 * await writeNpz('pair.npz', { a: { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) } });
 */
export async function writeNpz(path: string, arrays: Record<string, NdArray>, options: WriteNpzOptions = {}): Promise<void> {
  const members = Object.keys(arrays).map((k) => ({ key: k, ...checkArray(k, arrays[k]!) }));
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  let fh;
  try {
    fh = await open(tmp, 'w');
  } catch (err) {
    throw new InputError(`cannot write: ${(err as Error).message}`, path, { cause: err });
  }
  try {
    const zip = new ZipWriter(fh, options.forceZip64 === true);
    for (const m of members) {
      // (zlib.crc32 forgets its start value on an empty buffer, so skip empty bodies)
      const headerCrc = crc32(m.header);
      const crc = (m.body.length > 0 ? crc32(m.body, headerCrc) : headerCrc) >>> 0;
      const size = m.header.length + m.body.length;
      if (options.compress) {
        const packed = zlib.deflateRawSync(Buffer.concat([m.header, m.body]));
        await zip.add(`${m.key}.npy`, [packed], { method: 8, crc32: crc, size });
      } else {
        await zip.add(`${m.key}.npy`, [m.header, m.body], { method: 0, crc32: crc, size });
      }
    }
    await zip.finish();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    if (err instanceof RecordflowError) throw err;
    throw new InputError(`cannot write: ${(err as Error).message}`, path, { cause: err });
  }
}
