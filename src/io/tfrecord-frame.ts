// TFRecord framing on the caller's thread: a block is framed and checked in one synchronous pass
// (the wasm kernel's scan, or its JS twin), its records delivered with each bad payload's error
// or skip report in order; a record that straddles two blocks, or a damaged one, takes the slow
// path through ByteReader.read(n), which copies it once, and resynchronizes in 'skip' mode.

import { constants as bufferConstants } from 'node:buffer';
import type { ByteReader } from './byte-reader.js';
import { loadBlock, maskedCrc32c, maskedCrc32cOfLoaded, scanRecords } from './crc32c.js';
import { DataLossError, type DataLossKind } from '../core/errors.js';

/**
 * What a reader in 'skip' mode passed over: the kind of damage, the file, the record index and the bytes.
 */
export interface SkipInfo {
  kind: DataLossKind;
  file: string | undefined;
  /** Index the damaged record had (records before it in this file, good or skipped). */
  recordIndex: number;
  /** Offset in the uncompressed stream where the damage starts. */
  offset: number;
  /** Bytes of the uncompressed stream dropped. */
  bytes: number;
  error: DataLossError;
}

/** TensorFlow's "length" is a uint64; beyond 2^53 it cannot be a real record in memory. */
const MAX_HI = 0x200000;

/** The little-endian uint32 at b[p]. */
export function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** A record's length field (uint32 halves lo, hi) as the exact integer, for messages. */
export function lengthText(lo: number, hi: number): string {
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/**
 * The detail of a record cut short, in the words every reader (and every command) uses: `after`
 * is how many bytes follow the 12-byte header.
 */
export function truncatedDetail(lo: number, hi: number, after: number): string {
  const length = (BigInt(hi) << 32n) | BigInt(lo);
  if (BigInt(after) >= length) {
    return `truncated record: the ${length}-byte payload is followed by ${after - Number(length)} of its 4 CRC bytes`;
  }
  return `truncated record: the length says ${length} payload bytes but only ${after} follow`;
}

export interface FileState {
  file: string | undefined;
  verify: boolean;
  skip: boolean;
  onSkip: ((info: SkipInfo) => void) | undefined;
  /** Records seen in this file (delivered or dropped with a known extent). */
  index: number;
  /**
   * Stream offset of the record being read: a decompression failure surfaces in whatever read
   * is pending, long after the reader's offset has moved past the record's start.
   */
  start: number;
  /** Skipped regions, summed over all inputs of this iteration. */
  counter: { skipped: number };
}

type SlowResult = Uint8Array | 'end' | 'skipped';

/**
 * Frame every complete record of `block[pos..]` into `out`, checking only the length CRCs;
 * returns where framing stopped: the block's end, a straddling record, or a damaged header
 * (left for the slow path). The JS twin of the wasm kernel's scan (`scanRecords`).
 */
function frameBlock(block: Uint8Array, pos: number, out: Uint8Array[], st: FileState): number {
  const n = block.length;
  while (n - pos >= 12) {
    if (maskedCrc32c(block, pos, pos + 8) !== u32(block, pos + 8)) break;
    const hi = u32(block, pos + 4);
    if (hi >= MAX_HI) break;
    const start = pos + 12;
    const end = start + hi * 4294967296 + u32(block, pos);
    if (end + 4 > n) break;
    out.push(block.subarray(start, end));
    pos = end + 4;
    st.index++;
  }
  return pos;
}

/** Indices of the records in `records` (views of `block`, each followed by its CRC) whose payload CRC is wrong. */
function badPayloads(block: Uint8Array, records: Uint8Array[]): number[] {
  // With the wasm kernel the block is copied into its memory once, not once per record.
  loadBlock(block);
  const bad: number[] = [];
  for (let j = 0; j < records.length; j++) {
    const r = records[j]!;
    const start = r.byteOffset - block.byteOffset;
    const end = start + r.length;
    if (maskedCrc32cOfLoaded(block, start, end) !== u32(block, end)) bad.push(j);
  }
  return bad;
}

/** Records framed from one block, with the indices of those whose payload CRC is wrong. */
interface Framed {
  records: Uint8Array[];
  bad: number[];
  block: Uint8Array;
  /** Stream offset of block[0]; index of records[0]. */
  blockOffset: number;
  firstIndex: number;
}

export function report(st: FileState, error: DataLossError, bytes: number): void {
  st.counter.skipped++;
  st.onSkip?.({ kind: error.kind, file: st.file, recordIndex: error.recordIndex, offset: error.offset, bytes, error });
}

/**
 * Scan forward from `from` (the byte after a bad header's first byte) for the next position whose
 * 8 length bytes match the CRC after them; leaves the reader there. Returns the bytes dropped.
 */
async function resync(r: ByteReader, from: Uint8Array): Promise<number> {
  let carry = from;
  let dropped = 1; // the first byte of the bad header
  for (;;) {
    const b = await r.readBlock();
    const win = b ? concat(carry, b) : carry;
    const last = win.length - 12;
    for (let p = 0; p <= last; p++) {
      if (maskedCrc32c(win, p, p + 8) === u32(win, p + 8) && u32(win, p + 4) < MAX_HI) {
        r.unread(win.subarray(p));
        return dropped + p;
      }
    }
    if (!b) return dropped + win.length;
    const keep = Math.min(11, win.length);
    dropped += win.length - keep;
    carry = win.subarray(win.length - keep);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** One record through exact reads: straddling records and every kind of damage end up here. */
async function slowRecord(r: ByteReader, st: FileState): Promise<SlowResult> {
  const offset = r.offset;
  st.start = offset;
  const fail = (kind: DataLossKind, detail: string): DataLossError =>
    new DataLossError(kind, st.file, st.index, offset, detail);

  const head = await r.read(12);
  if (head.length === 0) return 'end';
  if (head.length < 12) {
    const e = fail('truncated_header', `${head.length} of 12 header bytes`);
    if (!st.skip) throw e;
    report(st, e, head.length);
    return 'end';
  }
  if (maskedCrc32c(head, 0, 8) !== u32(head, 8)) {
    const e = fail('length_crc_mismatch', 'corrupted record: the length CRC does not match');
    if (!st.skip) throw e;
    const dropped = await resync(r, head.subarray(1));
    report(st, e, dropped);
    return 'skipped';
  }
  const length = u32(head, 4) * 4294967296 + u32(head, 0);
  const need = length + 4;
  // A claim beyond what a sized source still holds is truncation, decided before any allocation;
  // a claim no buffer can hold is drained without keeping the bytes.
  const left = r.remaining();
  let body: Uint8Array | undefined;
  let got: number;
  if ((left !== undefined && need > left) || need > bufferConstants.MAX_LENGTH) {
    got = await r.skip(left ?? need);
  } else {
    body = await r.read(need);
    got = body.length;
  }
  if (got < need || !body) {
    const e = got < need
      ? fail('truncated_data', truncatedDetail(u32(head, 0), u32(head, 4), got))
      : fail('truncated_data', `a record of ${lengthText(u32(head, 0), u32(head, 4))} bytes exceeds the buffer limit`);
    if (!st.skip) throw e;
    report(st, e, 12 + got);
    return 'end';
  }
  const bytes = body;
  st.index++;
  if (st.verify && maskedCrc32c(bytes, 0, length) !== u32(bytes, length)) {
    const e = new DataLossError('data_crc_mismatch', st.file, st.index - 1, offset, 'corrupted record: the data CRC does not match');
    if (!st.skip) throw e;
    report(st, e, 16 + length);
    return 'skipped';
  }
  return bytes.subarray(0, length);
}

/** Deliver a block's records: the good ones, and in order, each bad payload's error or skip report. */
async function* deliver(f: Framed, st: FileState): AsyncGenerator<Uint8Array[], void, undefined> {
  let from = 0;
  for (const j of f.bad) {
    // The records before a bad one go out first, so onSkip (and a throw) come after them.
    if (j > from) yield f.records.slice(from, j);
    from = j + 1;
    const r = f.records[j]!;
    const offset = f.blockOffset + (r.byteOffset - f.block.byteOffset) - 12;
    const e = new DataLossError('data_crc_mismatch', st.file, f.firstIndex + j, offset, 'corrupted record: the data CRC does not match');
    if (!st.skip) throw e;
    report(st, e, 16 + r.length);
  }
  if (from === 0) yield f.records;
  else if (from < f.records.length) yield f.records.slice(from);
}

/**
 * Frame one uncompressed byte stream, yielding arrays of payloads: each block is framed and
 * checked in one synchronous pass; only a record that straddles two blocks, or a damaged one,
 * takes the slow path through ByteReader.read(n), after the block's records are delivered.
 */
export async function* frameStream(r: ByteReader, st: FileState): AsyncGenerator<Uint8Array[], void, undefined> {
  for (;;) {
    st.start = r.offset;
    const block = await r.readBlock();
    if (!block) return;
    const f: Framed = { records: [], bad: [], block, blockOffset: r.offset - block.length, firstIndex: st.index };
    // The wasm kernel frames the block and checks every CRC in one call.
    let pos = st.verify ? scanRecords(block, true, f.records, f.bad) : -1;
    if (pos >= 0) st.index += f.records.length;
    else {
      pos = frameBlock(block, 0, f.records, st);
      if (st.verify && f.records.length > 0) f.bad = badPayloads(block, f.records);
    }
    if (f.records.length > 0) yield* deliver(f, st);
    if (pos < block.length) {
      r.unread(block.subarray(pos));
      const rec = await slowRecord(r, st);
      if (rec === 'end') return;
      if (rec !== 'skipped') yield [rec];
    }
  }
}

