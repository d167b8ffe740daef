// The reader over a block source: whole blocks for the hot path (`readBlock`), and `read(n)`,
// `peek(n)`, `skip(n)` and `unread(bytes)` for the few bytes that straddle blocks. Memory is
// only ever allocated for bytes that have arrived, so a bogus length costs what the stream holds.
import { constants as bufferConstants } from 'node:buffer';
import { InputError } from '../core/errors.js';
import { plain, type BlockSource } from './byte-source.js';

const EMPTY = new Uint8Array(0);

/**
 * Cursor over a BlockSource: whole blocks for the hot path and exact byte counts for the rest.
 * `offset` counts bytes consumed so far (the position in the stream of the next byte).
 */
export class ByteReader {
  /** Bytes handed back by `unread`, delivered before any new block. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  offset = 0;

  constructor(
    readonly source: BlockSource,
    private readonly signal?: AbortSignal,
  ) {}

  /** Bytes known to remain (pending + source) when the source knows its size. */
  remaining(): number | undefined {
    const r = this.source.remaining();
    return r === undefined ? undefined : r + this.pendingBytes;
  }

  /** The next run of bytes (a pending remainder or a whole new block); null at the end. */
  async readBlock(): Promise<Uint8Array | null> {
    this.signal?.throwIfAborted();
    let b: Uint8Array | null | undefined = this.pending.pop();
    if (b) this.pendingBytes -= b.length;
    else b = await this.source.next();
    if (b) this.offset += b.length;
    return b;
  }

  /** Push bytes back so the next read starts with them. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.offset -= bytes.length;
  }

  /**
   * Exactly n bytes, or fewer only when the stream ends first. Memory is allocated only for bytes
   * that have actually arrived, so a bogus huge n costs at most what the stream really holds.
   * A single block that covers n is returned as a view, else the pieces are copied once.
   */
  async read(n: number): Promise<Uint8Array> {
    if (n === 0) return EMPTY;
    const pieces: Uint8Array[] = [];
    const got = await this.take(n, pieces);
    if (pieces.length === 1) return pieces[0]!;
    if (got > bufferConstants.MAX_LENGTH) throw new InputError(`a single record of ${got} bytes exceeds the buffer limit`);
    if (got >= 65536) this.source.expect?.(got);
    const out = plain(Buffer.allocUnsafeSlow(got)); // every byte is written below
    let at = 0;
    for (const p of pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** Up to n bytes without consuming them. */
  async peek(n: number): Promise<Uint8Array> {
    const bytes = await this.read(n);
    this.unread(bytes);
    return bytes;
  }

  /** Discard up to n bytes without keeping them; returns how many were discarded. */
  skip(n: number): Promise<number> {
    return this.take(n, null);
  }

  /**
   * Consumes up to n bytes (fewer only at the end), block by block, handing back what passes n;
   * the consumed runs go into `pieces` unless it is null. Returns how many were consumed.
   */
  private async take(n: number, pieces: Uint8Array[] | null): Promise<number> {
    let got = 0;
    while (got < n) {
      const b = await this.readBlock();
      if (!b) break;
      const want = n - got;
      const run = b.length > want ? b.subarray(0, want) : b;
      if (run !== b) this.unread(b.subarray(want));
      pieces?.push(run);
      got += run.length;
    }
    return got;
  }

  async close(): Promise<void> {
    this.pending = [];
    this.pendingBytes = 0;
    await this.source.close();
  }
}
