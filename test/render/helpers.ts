// Reads PNG files independently of the renderer: checks the signature and every chunk's CRC,
// inflates IDAT and undoes the five scanline filters, giving RGBA pixels to probe.
import { inflateSync } from 'node:zlib';
import CRC32 from 'crc-32';

export interface DecodedPng {
  width: number;
  height: number;
  /** 4 bytes per pixel, rows top to bottom. */
  rgba: Uint8Array;
}

export function decodePng(png: Uint8Array): DecodedPng {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('bad PNG signature');
  let at = 8;
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  while (at < buf.length) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if ((CRC32.buf(buf.subarray(at + 4, at + 8 + len)) >>> 0) !== buf.readUInt32BE(at + 8 + len)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') ihdr = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  if (!ihdr) throw new Error('no IHDR');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const [depth, colorType, , , interlace] = [ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]];
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType as 0 | 2 | 4 | 6];
  if (depth !== 8 || channels === undefined || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${interlace}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`inflated ${raw.length} bytes for ${width}x${height}`);
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? px[y * stride + i - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? px[(y - 1) * stride + i - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad filter ${filter} on row ${y}`);
      px[y * stride + i] = (x + pred) & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const s = px.subarray(p * channels, (p + 1) * channels);
    const gray = channels <= 2;
    rgba.set([s[0]!, gray ? s[0]! : s[1]!, gray ? s[0]! : s[2]!, channels === 2 ? s[1]! : channels === 4 ? s[3]! : 255], p * 4);
  }
  return { width, height, rgba };
}

/** [r, g, b] at (x, y). */
export function rgbAt(png: DecodedPng, x: number, y: number): [number, number, number] {
  const o = (y * png.width + x) * 4;
  return [png.rgba[o]!, png.rgba[o + 1]!, png.rgba[o + 2]!];
}

/** Fraction of pixels within `tolerance` of a colour. */
export function colourFraction(png: DecodedPng, rgb: readonly [number, number, number], tolerance = 40): number {
  let n = 0;
  for (let p = 0; p < png.width * png.height; p++) {
    const o = p * 4;
    if (Math.abs(png.rgba[o]! - rgb[0]) + Math.abs(png.rgba[o + 1]! - rgb[1]) + Math.abs(png.rgba[o + 2]! - rgb[2]) <= tolerance) n++;
  }
  return n / (png.width * png.height);
}
