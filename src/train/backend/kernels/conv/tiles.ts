// Splits a padded convolution into tiles that each run unpadded, so no conv kernel needs a
// zero-filled copy of its input.
import type { ConvGeometry } from './geometry.js';

/**
 * Padding without a padded copy. A padded convolution's output splits into rectangles
 * ("tiles") inside which every pixel's window covers the same taps of the kernel: the
 * interior sees all kH × kW taps, the first row with top padding 1 only rows 1..kH−1, the
 * left column only columns 1..kW−1, and so on (9 tiles for a 'same' 3×3 conv). Each tile is
 * then an unpadded convolution with that sub-kernel over the input pixels the taps reach, so
 * the SIMD kernels walk the original input in place: no zero-filled copy of every input
 * (~8 MB of fills and ~7 MB of copies per BackBone step before this).
 */
export interface Band {
  /** Output indices [from, to) along one axis... */
  from: number;
  to: number;
  /** ...whose windows all cover kernel taps [k0, k1) inside the input. */
  k0: number;
  k1: number;
}

/** Consecutive outputs along one axis grouped by the kernel taps inside [0, inSize). */
export function bands(outSize: number, stride: number, pad: number, inSize: number, k: number): Band[] {
  const out: Band[] = [];
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - pad;
    const k0 = Math.max(0, -start);
    const k1 = Math.min(k, inSize - start);
    const last = out[out.length - 1];
    if (last !== undefined && last.k0 === k0 && last.k1 === k1) last.to = o + 1;
    else out.push({ from: o, to: o + 1, k0, k1 });
  }
  return out;
}

export interface Tile {
  rows: Band;
  cols: Band;
  /** The tile's sub-kernel as a convolution geometry (kH, kW = taps kept; outH, outW = tile size). */
  g: ConvGeometry;
  /** Byte offset into x of the first kept tap of the tile's first pixel (image 0). */
  xOffset: number;
  /** Byte offset of the tile's first pixel in the output-sized map (y or dy), and the bytes skipped after each tile row and image. */
  pixelOffset: number;
  pixelRowSkip: number;
  pixelImageSkip: number;
}

/**
 * The tiles of g, or null when some output's window lies wholly in the padding or a tile's
 * patch row (kept kW · inC floats) is shorter than a vector (callers fall back to a copy).
 */
export function convTiles(g: ConvGeometry): Tile[] | null {
  // Plans are pure functions of the geometry, and a model has a handful: keep them.
  const key = `${g.batch},${g.inH},${g.inW},${g.inC},${g.outH},${g.outW},${g.outC},${g.kH},${g.kW},${g.strideH},${g.strideW},${g.padTop},${g.padLeft}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = planTiles(g);
    plans.set(key, plan);
  }
  return plan;
}

const plans = new Map<string, Tile[] | null>();

function planTiles(g: ConvGeometry): Tile[] | null {
  const rowBands = bands(g.outH, g.strideH, g.padTop, g.inH, g.kH);
  const colBands = bands(g.outW, g.strideW, g.padLeft, g.inW, g.kW);
  const tiles: Tile[] = [];
  for (const rows of rowBands) {
    for (const cols of colBands) {
      const kH = rows.k1 - rows.k0;
      const kW = cols.k1 - cols.k0;
      if (kH <= 0 || kW <= 0 || kW * g.inC < 4) return null;
      const h = rows.to - rows.from;
      const w = cols.to - cols.from;
      const iy = rows.from * g.strideH - g.padTop + rows.k0;
      const ix = cols.from * g.strideW - g.padLeft + cols.k0;
      tiles.push({
        rows,
        cols,
        g: { ...g, outH: h, outW: w, kH, kW },
        xOffset: (iy * g.inW + ix) * g.inC * 4,
        pixelOffset: (rows.from * g.outW + cols.from) * g.outC * 4,
        pixelRowSkip: (g.outW - w) * g.outC * 4,
        pixelImageSkip: (g.outH - h) * g.outW * g.outC * 4,
      });
    }
  }
  return tiles;
}
