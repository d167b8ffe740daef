// A small ZIP reader for .npz files: it reads the end-of-central-directory record (ZIP64 too),
// the central directory, and each member's local header only to find where its data starts.
// Members are then read straight into their own buffers, so a file is never held twice.

import { constants as bufferConstants } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { fileError, InputError } from '../core/errors.js';
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

/**
 * A zip file (or an `s3://` object) for random access. A path that is not a regular file (a pipe, a FIFO, /dev/stdin)
 * cannot be read at offsets: it is read to its end into memory first (a zip's directory is at
 * its end), up to the largest buffer.
 */
export async function openZipFile(path: string): Promise<ZipSource> {
  if (isS3Url(path)) return openZipObject(path);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw fileError(err, path);
  }
  const st = await fh.stat();
  if (st.isDirectory()) {
    await fh.close();
    throw new InputError('is a directory, expected a file', path);
  }
  if (!st.isFile()) {
    try {
      return zipFromBytes(await readToEnd(fh, path), path);
    } finally {
      await fh.close();
    }
  }
  const size = st.size;
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

/** Everything a stream holds, in order, refused past the largest buffer. */
async function readToEnd(fh: FileHandle, path: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const buf = new Uint8Array(1 << 20);
    const { bytesRead } = await fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > bufferConstants.MAX_LENGTH) throw new InputError(`a stream of more than ${bufferConstants.MAX_LENGTH} bytes cannot be read as a zip`, path);
    parts.push(buf.subarray(0, bytesRead));
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
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

/** Code page 437's upper half: zip names without the UTF-8 flag, as Python's zipfile reads them. */
const CP437_HIGH =
  '\xc7\xfc\xe9\xe2\xe4\xe0\xe5\xe7\xea\xeb\xe8\xef\xee\xec\xc4\xc5\xc9\xe6\xc6\xf4\xf6\xf2\xfb\xf9\xff\xd6\xdc\xa2\xa3\xa5\u20a7\u0192\xe1\xed\xf3\xfa\xf1\xd1\xaa\xba\xbf\u2310\xac\xbd\xbc\xa1\xab\xbb\u2591\u2592\u2593\u2502\u2524\u2561\u2562\u2556\u2555\u2563\u2551\u2557\u255d\u255c\u255b\u2510\u2514\u2534\u252c\u251c\u2500\u253c\u255e\u255f\u255a\u2554\u2569\u2566\u2560\u2550\u256c\u2567\u2568\u2564\u2565\u2559\u2558\u2552\u2553\u256b\u256a\u2518\u250c\u2588\u2584\u258c\u2590\u2580\u03b1\xdf\u0393\u03c0\u03a3\u03c3\xb5\u03c4\u03a6\u0398\u03a9\u03b4\u221e\u03c6\u03b5\u2229\u2261\xb1\u2265\u2264\u2320\u2321\xf7\u2248\xb0\u2219\xb7\u221a\u207f\xb2\u25a0\xa0';

const utf8Name = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A member name as Python's zipfile decodes it: UTF-8 when flag bit 11 says so, else CP437. */
function memberName(bytes: Uint8Array, flags: number, i: number, zipName: string): string {
  if (flags & 0x800) {
    try {
      return utf8Name.decode(bytes);
    } catch {
      throw new InputError(`not a valid zip/npz file (the name of entry ${i} is flagged UTF-8 but is not)`, zipName);
    }
  }
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
  return out;
}

function u64(dv: DataView, at: number, name: string): number {
  const v = dv.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(`not a valid zip/npz file (a ZIP64 size or offset of ${v}, beyond 2^53)`, name);
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
  if (at < 0) bad('no end of central directory record: truncated, or not a zip');
  let count = tv.getUint16(at + 10, true);
  let cdSize = tv.getUint32(at + 12, true);
  let cdOffset = tv.getUint32(at + 16, true);
  if ((count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) && at >= 20 &&
      tv.getUint32(at - 20, true) === ZIP64_LOCATOR) {
    const recOffset = u64(tv, at - 20 + 8, src.name);
    const rec = await src.read(recOffset, 56);
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rv.getUint32(0, true) !== ZIP64_EOCD) bad('bad ZIP64 end of central directory');
    count = u64(rv, 32, src.name);
    cdSize = u64(rv, 40, src.name);
    cdOffset = u64(rv, 48, src.name);
  }
  if (cdOffset + cdSize > src.size) bad('central directory past the end of the file');
  const cd = await src.read(cdOffset, cdSize);
  const dv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
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
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) bad(`central directory entry ${i} runs past the directory`);
    const name = memberName(cd.subarray(p + 46, p + 46 + nameLen), flags, i, src.name);
    // ZIP64 extra field: the 64-bit values of whichever fields hold 0xFFFFFFFF, in this order
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (e + 4 + len > extraEnd) bad(`entry ${i}'s extra field runs past its end`);
      if (id === 0x0001) {
        let q = e + 4;
        const need = 8 * (Number(size === 0xffffffff) + Number(compressedSize === 0xffffffff) + Number(localHeaderOffset === 0xffffffff));
        if (need > len) bad(`entry ${i}'s ZIP64 field holds ${len} bytes, ${need} needed`);
        if (size === 0xffffffff) (size = u64(dv, q, src.name)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = u64(dv, q, src.name)), (q += 8);
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(dv, q, src.name);
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
  // as Python's zipfile: the local header must name the member the directory names
  const nameLen = dv.getUint16(26, true);
  const local = memberName(await src.read(entry.localHeaderOffset + 30, nameLen), dv.getUint16(6, true), 0, src.name);
  if (local !== entry.name) {
    throw new InputError(`member '${entry.name}' has a local header naming '${local}' (the zip is damaged)`, src.name);
  }
  return entry.localHeaderOffset + 30 + nameLen + dv.getUint16(28, true);
}
