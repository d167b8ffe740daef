// A minimal PNG encoder: 8-bit RGB or grayscale, one IDAT chunk, filter type 0 on every row.
// The images we write (charts, frame grids) are small, so simplicity wins over compression ratio.
import { deflateSync } from 'node:zlib';
import CRC32 from 'crc-32';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

export interface RasterImage {
  width: number;
  height: number;
  /** 3 bytes per pixel (RGB) or 1 (gray), rows top to bottom, no padding. */
  channels: 1 | 3;
  data: Uint8Array;
}

/** One PNG chunk: length, type, data, CRC-32 over type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // crc-32 returns a signed int32; the chunk stores it unsigned.
  view.setUint32(8 + data.length, CRC32.buf(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}

export function encodePng(image: RasterImage): Buffer {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`PNG size must be positive integers, got ${width}x${height}`);
  }
  const stride = width * channels;
  if (data.length !== stride * height) {
    throw new RangeError(`PNG data has ${data.length} bytes, expected ${stride * height}`);
  }
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 3 ? 2 : 0; // color type: truecolor or grayscale
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering (we always pick filter 0)
  ihdr[12] = 0; // no interlace

  // Each scanline is prefixed by its filter type byte.
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    raw.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const idat = deflateSync(raw, { level: 9 });
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

export const PNG_SIGNATURE = SIGNATURE;
