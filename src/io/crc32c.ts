// CRC-32C (Castagnoli), the checksum TFRecord framing uses, and TensorFlow's "masked" form.
//
// Why hand-written instead of `crc-32/crc32c`: both are slicing-by-16 table CRCs, but this one
// (1) takes a [start, end) range so the reader never allocates a subarray per record, and
// (2) loads the input as aligned 32-bit words through an Int32Array view of the same memory,
// four loads per 16 bytes instead of sixteen. Measured on this machine (noisy, shared 2 cores):
// ~1.0–1.6 GB/s against crc-32's ~0.6–0.75 GB/s on 800-byte and 1 MB inputs. The tests
// cross-check it against crc-32 on random inputs at every alignment.

const POLY = 0x82f63b78; // reflected Castagnoli polynomial

/** 16 tables of 256 entries: TABLES[k*256 + b] = CRC of byte b followed by k zero bytes. */
const TABLES = new Int32Array(16 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  let v = TABLES[n]!;
  for (let k = 1; k < 16; k++) {
    v = (v >>> 8) ^ TABLES[v & 255]!;
    TABLES[k * 256 + n] = v;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Word view of the last buffer seen: the reader checks many records in one block, so this is
// created once per block rather than once per record.
let wordsOf: ArrayBufferLike | undefined;
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);

function wordView(buffer: ArrayBufferLike): Int32Array {
  if (buffer !== wordsOf) {
    words = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    wordsOf = buffer;
  }
  return words;
}

/**
 * Continue a CRC-32C over bytes[start, end). `crc` is a finished CRC (0 to start);
 * returns the finished CRC as an unsigned 32-bit number.
 */
export function crc32cUpdate(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  const t = TABLES;
  let c = ~crc;
  let i = start;
  if (end - start >= 32 && LITTLE_ENDIAN) {
    // Byte steps until the absolute address is 4-aligned, then 16 bytes per step as 4 words.
    const abs = bytes.byteOffset + i;
    for (const e = i + ((4 - (abs & 3)) & 3); i < e; i++) c = (c >>> 8) ^ t[(c ^ bytes[i]!) & 255]!;
    const w = wordView(bytes.buffer);
    let j = (bytes.byteOffset + i) >>> 2;
    const steps = (end - i) >>> 4;
    for (const je = j + steps * 4; j < je; j += 4) {
      const a = w[j]! ^ c;
      const x = w[j + 1]!;
      const y = w[j + 2]!;
      const z = w[j + 3]!;
      c =
        t[3840 + (a & 255)]! ^ t[3584 + ((a >>> 8) & 255)]! ^ t[3328 + ((a >>> 16) & 255)]! ^ t[3072 + (a >>> 24)]! ^
        t[2816 + (x & 255)]! ^ t[2560 + ((x >>> 8) & 255)]! ^ t[2304 + ((x >>> 16) & 255)]! ^ t[2048 + (x >>> 24)]! ^
        t[1792 + (y & 255)]! ^ t[1536 + ((y >>> 8) & 255)]! ^ t[1280 + ((y >>> 16) & 255)]! ^ t[1024 + (y >>> 24)]! ^
        t[768 + (z & 255)]! ^ t[512 + ((z >>> 8) & 255)]! ^ t[256 + ((z >>> 16) & 255)]! ^ t[z >>> 24]!;
    }
    i += steps * 16;
  }
  for (; i < end; i++) c = (c >>> 8) ^ t[(c ^ bytes[i]!) & 255]!;
  return ~c >>> 0;
}

/** CRC-32C of bytes[start, end) as an unsigned 32-bit number ("123456789" → 0xE3069283). */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crc32cUpdate(0, bytes, start, end);
}

const MASK_DELTA = 0xa282ead8;

/** TensorFlow's masking of a CRC: rotate right by 15 bits and add a constant, mod 2^32. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** The masked CRC-32C TFRecord stores after the length and after the payload. */
export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return maskCrc(crc32cUpdate(0, bytes, start, end));
}
