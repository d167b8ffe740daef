// A small streaming ZIP writer for .npz: stored or deflated members written one after another
// to a file handle, then the central directory. ZIP64 records appear only when a size or an
// offset needs them (or when forced, which tests use), as Python's zipfile does.

import type { FileHandle } from 'node:fs/promises';

interface Written {
  name: Uint8Array;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  offset: number;
  zip64: boolean;
}

const LIMIT = 0xffffffff;
// 1980-01-01 00:00:00 in MS-DOS format: a fixed stamp keeps output reproducible.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export class ZipWriter {
  private offset = 0;
  private readonly entries: Written[] = [];
  constructor(
    private readonly fh: FileHandle,
    private readonly forceZip64 = false,
  ) {}

  private async put(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.fh.write(bytes, done, Math.min(bytes.length - done, 0x40000000));
      done += bytesWritten;
    }
    this.offset += bytes.length;
  }

  /** Adds a member whose data is the concatenation of `parts` (already compressed if method 8). */
  async add(
    name: string,
    parts: Uint8Array[],
    info: { method: 0 | 8; crc32: number; size: number },
  ): Promise<void> {
    const nameBytes = new TextEncoder().encode(name);
    let compressedSize = 0;
    for (const p of parts) compressedSize += p.length;
    const zip64 = this.forceZip64 || compressedSize >= LIMIT || info.size >= LIMIT || this.offset >= LIMIT;
    const entry: Written = { name: nameBytes, method: info.method, crc32: info.crc32, compressedSize, size: info.size, offset: this.offset, zip64 };
    const extraLen = zip64 ? 20 : 0;
    const h = new Uint8Array(30 + nameBytes.length + extraLen);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 0x04034b50, true);
    dv.setUint16(4, zip64 ? 45 : 20, true);
    dv.setUint16(6, 0x0800, true); // names are UTF-8
    dv.setUint16(8, info.method, true);
    dv.setUint16(10, DOS_TIME, true);
    dv.setUint16(12, DOS_DATE, true);
    dv.setUint32(14, info.crc32 >>> 0, true);
    dv.setUint32(18, zip64 ? LIMIT : compressedSize, true);
    dv.setUint32(22, zip64 ? LIMIT : info.size, true);
    dv.setUint16(26, nameBytes.length, true);
    dv.setUint16(28, extraLen, true);
    h.set(nameBytes, 30);
    if (zip64) {
      const e = 30 + nameBytes.length;
      dv.setUint16(e, 0x0001, true);
      dv.setUint16(e + 2, 16, true);
      dv.setBigUint64(e + 4, BigInt(info.size), true);
      dv.setBigUint64(e + 12, BigInt(compressedSize), true);
    }
    this.entries.push(entry);
    await this.put(h);
    for (const p of parts) await this.put(p);
  }

  /** Writes the central directory and end records. */
  async finish(): Promise<void> {
    const cdStart = this.offset;
    const chunks: Uint8Array[] = [];
    let cdSize = 0;
    for (const e of this.entries) {
      const needs = this.forceZip64 || e.size >= LIMIT || e.compressedSize >= LIMIT || e.offset >= LIMIT;
      const extraLen = needs ? 28 : 0;
      const c = new Uint8Array(46 + e.name.length + extraLen);
      const dv = new DataView(c.buffer);
      dv.setUint32(0, 0x02014b50, true);
      dv.setUint16(4, (3 << 8) | (needs ? 45 : 20), true); // made by: unix
      dv.setUint16(6, needs ? 45 : 20, true);
      dv.setUint16(8, 0x0800, true);
      dv.setUint16(10, e.method, true);
      dv.setUint16(12, DOS_TIME, true);
      dv.setUint16(14, DOS_DATE, true);
      dv.setUint32(16, e.crc32 >>> 0, true);
      dv.setUint32(20, needs ? LIMIT : e.compressedSize, true);
      dv.setUint32(24, needs ? LIMIT : e.size, true);
      dv.setUint16(28, e.name.length, true);
      dv.setUint16(30, extraLen, true);
      dv.setUint32(38, (0o100644 << 16) >>> 0, true); // -rw-r--r--
      dv.setUint32(42, needs ? LIMIT : e.offset, true);
      c.set(e.name, 46);
      if (needs) {
        const x = 46 + e.name.length;
        dv.setUint16(x, 0x0001, true);
        dv.setUint16(x + 2, 24, true);
        dv.setBigUint64(x + 4, BigInt(e.size), true);
        dv.setBigUint64(x + 12, BigInt(e.compressedSize), true);
        dv.setBigUint64(x + 20, BigInt(e.offset), true);
      }
      chunks.push(c);
      cdSize += c.length;
    }
    for (const c of chunks) await this.put(c);
    const count = this.entries.length;
    const zip64 = this.forceZip64 || count >= 0xffff || cdStart >= LIMIT || cdSize >= LIMIT;
    if (zip64) {
      const recOffset = this.offset;
      const r = new Uint8Array(56 + 20);
      const dv = new DataView(r.buffer);
      dv.setUint32(0, 0x06064b50, true);
      dv.setBigUint64(4, 44n, true);
      dv.setUint16(12, 45, true);
      dv.setUint16(14, 45, true);
      dv.setBigUint64(24, BigInt(count), true);
      dv.setBigUint64(32, BigInt(count), true);
      dv.setBigUint64(40, BigInt(cdSize), true);
      dv.setBigUint64(48, BigInt(cdStart), true);
      dv.setUint32(56, 0x07064b50, true);
      dv.setBigUint64(64, BigInt(recOffset), true);
      dv.setUint32(72, 1, true);
      await this.put(r);
    }
    const end = new Uint8Array(22);
    const dv = new DataView(end.buffer);
    dv.setUint32(0, 0x06054b50, true);
    dv.setUint16(8, zip64 ? 0xffff : count, true);
    dv.setUint16(10, zip64 ? 0xffff : count, true);
    dv.setUint32(12, zip64 ? LIMIT : cdSize, true);
    dv.setUint32(16, zip64 ? LIMIT : cdStart, true);
    await this.put(end);
  }
}
