// The three flipped variants of a set, consistent between pixels and polygons. Coordinates are
// pixel indices, so a horizontal flip maps column x to 31 - x (not 32 - x) and a vertical flip
// maps row y to 23 - y; the mask's box then flips onto the flipped pixels exactly. Unused
// person slots stay 0, and vertex order is kept (only positions move).

import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';

/**
 * The three flipped copies of a recording, named as the reference sets are (`_horizon`, `_vertical`, `_vh`).
 */
export type FlipKind = 'horizon' | 'vertical' | 'vh';

const W = FRAME_WIDTH;
const H = FRAME_HEIGHT;

function flipsOf(kind: FlipKind): { h: boolean; v: boolean } {
  return { h: kind === 'horizon' || kind === 'vh', v: kind === 'vertical' || kind === 'vh' };
}

/**
 * Flips every (24, 32) frame of a (N, 24, 32) uint8 array.
 *
 * @example
 * const frames = new Uint8Array(2 * 768);
 * const mirrored = flipFrames(frames, 'horizon'); // column x becomes 31 - x
 */
export function flipFrames(frames: Uint8Array, kind: FlipKind): Uint8Array {
  const { h, v } = flipsOf(kind);
  const out = new Uint8Array(frames.length);
  const n = frames.length / (W * H);
  for (let f = 0; f < n; f++) {
    const base = f * W * H;
    for (let y = 0; y < H; y++) {
      const src = base + y * W;
      const dst = base + (v ? H - 1 - y : y) * W;
      if (h) {
        for (let x = 0; x < W; x++) out[dst + W - 1 - x] = frames[src + x]!;
      } else {
        out.set(frames.subarray(src, src + W), dst);
      }
    }
  }
  return out;
}

/** Flips the polygons of a (N, P, 8) int64 array; slots at or beyond numbers[row] stay 0. */
export function flipCoordinates(coords: BigInt64Array, numbers: BigInt64Array, persons: number, kind: FlipKind): BigInt64Array {
  const { h, v } = flipsOf(kind);
  const out = new BigInt64Array(coords.length);
  const maxX = BigInt(W - 1);
  const maxY = BigInt(H - 1);
  for (let r = 0; r < numbers.length; r++) {
    const used = Math.min(Number(numbers[r]), persons);
    for (let p = 0; p < used; p++) {
      const base = (r * persons + p) * 8;
      for (let k = 0; k < 8; k += 2) {
        const x = coords[base + k]!;
        const y = coords[base + k + 1]!;
        out[base + k] = h ? maxX - x : x;
        out[base + k + 1] = v ? maxY - y : y;
      }
    }
  }
  return out;
}
