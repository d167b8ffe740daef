// A small ZIP reader for .npz files: it reads the end-of-central-directory record (ZIP64 too),
// the central directory, and each member's local header only to find where its data starts.
// Members are then read straight into their own buffers, so a file is never held twice.

import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import { isS3Url } from '../storage/url.js';
import { headObject, readObjectRange } from '../storage/objects.js';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Random access to the bytes of a zip: a file or a buffer. */
export interface ZipSource {
  readonly name: string;
  readonly size: number;
  /** Reads exactly `length` bytes at `position` into a fresh, unpooled buffer. */
  read(position: number, length: number): Promise<Uint8Array>;
  /**
   * The same in blocks, handing each block to `onBlock` right after it is read (while it is
   * still in cache: checksumming then costs no second pass over memory).
   */
  readBlocks(position: number, length: number, onBlock: (block: Uint8Array) => void): Promise<Uint8Array>;
  /** Feeds `length` bytes at `position` to `onBlock` block by block, keeping none of them. */
  stream(position: number, length: number, onBlock: (block: Uint8Array) => void | Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** A zip in an object store, read by ranged GETs pinned to the ETag its HEAD returned. */
async function openZipObject(url: string): Promise<ZipSource> {
  const info = await headObject(url);
  if (!info) throw new InputError('no such object', url);
  const { size, etag } = info;
  const check = (position: number, length: number): void => {
    if (position + length > size) throw new InputError(`zip member runs past the end of the file (truncated?)`, url);
  };
  const read = async (position: number, length: number): Promise<Uint8Array> => {
    check(position, length);
    return readObjectRange(url, position, length, { etag });
  };
  return {
    name: url,
    size,
    read,
    async readBlocks(position, length, onBlock): Promise<Uint8Array> {
      // One request for the member (it is kept whole anyway); checked block by block.
      const out = await read(position, length);
      for (let done = 0; done < length; done += BLOCK) onBlock(out.subarray(done, Math.min(length, done + BLOCK)));
      return out;
    },
    async stream(position, length, onBlock): Promise<void> {
      check(position, length);
      for (let done = 0; done < length; done += BLOCK) await onBlock(await read(position + done, Math.min(BLOCK, length - done)));
    },
    close: async () => {},
  };
}

/** Opens a zip file, or an `s3://` object, for reads at any position. */
export async function openZipFile(path: string): Promise<ZipSource> {
  if (isS3Url(path)) return openZipObject(path);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new InputError(`cannot open: ${(err as Error).message}`, path, { cause: err });
  }
  const size = (await fh.stat()).size;
  const fill = async (out: Uint8Array, at: number, position: number, n: number): Promise<void> => {
    let done = 0;
    while (done < n) {
      const { bytesRead } = await fh.read(out, at + done, n - done, position + done);
      if (bytesRead === 0) throw new InputError('unexpected end of file', path);
      done += bytesRead;
    }
  };
  const check = (position: number, length: number): void => {
    if (position + length > size) throw new InputError(`zip member runs past the end of the file (truncated?)`, path);
  };
  const readBlocks = async (position: number, length: number, onBlock: (b: Uint8Array) => void): Promise<Uint8Array> => {
    check(position, length);
    const out = new Uint8Array(new ArrayBuffer(length));
    for (let done = 0; done < length; done += BLOCK) {
      const n = Math.min(BLOCK, length - done);
      await fill(out, done, position + done, n);
      onBlock(out.subarray(done, done + n));
    }
    return out;
  };
  return {
    name: path,
    size,
    read: (position: number, length: number) => readBlocks(position, length, () => {}),
    readBlocks,
    async stream(position, length, onBlock): Promise<void> {
      check(position, length);
      const buf = new Uint8Array(new ArrayBuffer(Math.min(BLOCK, length)));
      for (let done = 0; done < length; done += BLOCK) {
        const n = Math.min(BLOCK, length - done);
        await fill(buf, 0, position + done, n);
        await onBlock(buf.subarray(0, n));
      }
    },
    close: () => fh.close(),
  };
}

/** Read size of one block: big enough for few syscalls, small enough to stay in cache. */
const BLOCK = 4 << 20;

export function zipFromBytes(bytes: Uint8Array, name = '<bytes>'): ZipSource {
  const view = (position: number, length: number): Uint8Array => {
    if (position + length > bytes.length) throw new InputError('zip member runs past the end of the data', name);
    return bytes.subarray(position, position + length);
  };
  return {
    name,
    size: bytes.length,
    async read(position: number, length: number): Promise<Uint8Array> {
      return view(position, length);
    },
    async readBlocks(position, length, onBlock): Promise<Uint8Array> {
      const out = view(position, length);
      for (let done = 0; done < length; done += BLOCK) onBlock(out.subarray(done, Math.min(length, done + BLOCK)));
      return out;
    },
    async stream(position, length, onBlock): Promise<void> {
      const out = view(position, length);
      for (let done = 0; done < length; done += BLOCK) await onBlock(out.subarray(done, Math.min(length, done + BLOCK)));
    },
    close: async () => {},
  };
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

function u64(dv: DataView, at: number): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError('ZIP64 size beyond 2^53');
  return Number(v);
}

/** The entries of the central directory. */
export async function readZipDirectory(src: ZipSource): Promise<ZipEntry[]> {
  const bad = (why: string): never => {
    throw new InputError(`not a valid zip/npz file (${why})`, src.name);
  };
  if (src.size < 22) bad('too short');
  const tailLen = Math.min(src.size, 22 + 0xffff + 20);
  const tailStart = src.size - tailLen;
  const tail = await src.read(tailStart, tailLen);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD && i + 22 + tv.getUint16(i + 20, true) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) bad('no end of central directory record');
  let count = tv.getUint16(at + 10, true);
  let cdSize = tv.getUint32(at + 12, true);
  let cdOffset = tv.getUint32(at + 16, true);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && at >= 20 &&
      tv.getUint32(at - 20, true) === ZIP64_LOCATOR) {
    const recOffset = u64(tv, at - 20 + 8);
    const rec = await src.read(recOffset, 56);
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rv.getUint32(0, true) !== ZIP64_EOCD) bad('bad ZIP64 end of central directory');
    count = u64(rv, 32);
    cdSize = u64(rv, 40);
    cdOffset = u64(rv, 48);
  }
  if (cdOffset + cdSize > src.size) bad('central directory past the end of the file');
  const cd = await src.read(cdOffset, cdSize);
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const decoder = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CENTRAL) bad(`bad central directory entry ${i}`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc32 = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    const name = decoder.decode(cd.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extra field: the 64-bit values of whichever fields hold 0xFFFFFFFF, in this order
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = u64(dv, q)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(dv, q)), (q += 8);
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(dv, q);
      }
      e += 4 + len;
    }
    entries.push({ name, method, flags, crc32, compressedSize, size, localHeaderOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}

/** Where an entry's data starts (after its local header, whose extra field may differ). */
export async function entryDataOffset(src: ZipSource, entry: ZipEntry): Promise<number> {
  const h = await src.read(entry.localHeaderOffset, 30);
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  if (dv.getUint32(0, true) !== LOCAL) {
    throw new InputError(`bad local header for member '${entry.name}'`, src.name);
  }
  return entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
}
