// One synthetic person seen from above by a 32x24 thermal sensor: a warm, rotated elliptical
// blob with a slightly hotter head, a soft halo, and the 4-vertex polygon an annotator would draw
// around it. The polygon is built so that its bounding box is exactly the bounding box of the
// blob's mask (pixel indices, inclusive) — the box the model must learn is what the pixels show.

import type { Rng } from '../core/random.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';

/** Geometry and warmth of one person. */
export interface PersonShape {
  cx: number;
  cy: number;
  /** Half-extent across the body (pixels, before rotation). */
  halfWidth: number;
  /** Half-extent along the body (pixels, before rotation). */
  halfHeight: number;
  /** Rotation in radians. */
  angle: number;
  /** Peak warmth above the background (uint8 units). */
  warmth: number;
}

/** A rendered person: its mask, the mask's box and the annotation polygon. */
export interface RenderedPerson {
  /** 1 where the pixel centre lies inside the body ellipse (24*32, row-major). */
  mask: Uint8Array;
  pixels: number;
  /** [xmin, ymin, xmax, ymax] of the mask, inclusive pixel indices. */
  box: [number, number, number, number];
  /** x0, y0, x1, y1, x2, y2, x3, y3 — integers inside the frame, bounding box = `box`. */
  polygon: number[];
}

const W = FRAME_WIDTH;
const H = FRAME_HEIGHT;

/** Draws a person's parameters. Centres may sit at the border, so some bodies are cut off. */
export function samplePerson(rng: Rng): PersonShape {
  return {
    cx: rng.uniform(0, W - 1),
    cy: rng.uniform(0, H - 1),
    halfWidth: rng.uniform(1.9, 6.2),
    halfHeight: rng.uniform(2.6, 8.2),
    angle: rng.uniform(-0.5, 0.5),
    warmth: rng.uniform(50, 115),
  };
}

/**
 * Adds the person's warmth into `heat` (max-combined, bodies don't add up) and returns its mask,
 * box and polygon; `undefined` when too little of the body is inside the frame to annotate.
 */
export function renderPerson(p: PersonShape, heat: Float32Array): RenderedPerson | undefined {
  const cos = Math.cos(p.angle);
  const sin = Math.sin(p.angle);
  const ia2 = 1 / (p.halfWidth * p.halfWidth);
  const ib2 = 1 / (p.halfHeight * p.halfHeight);
  // Head: a hot spot toward one end of the body axis.
  const headV = -0.55 * p.halfHeight;
  const headR2 = Math.max(0.8, 0.45 * Math.min(p.halfWidth, p.halfHeight)) ** 2;
  const mask = new Uint8Array(W * H);
  let pixels = 0;
  let xmin = W;
  let ymin = H;
  let xmax = -1;
  let ymax = -1;
  for (let y = 0; y < H; y++) {
    const dy = y - p.cy;
    for (let x = 0; x < W; x++) {
      const dx = x - p.cx;
      const u = dx * cos + dy * sin; // across the body
      const v = -dx * sin + dy * cos; // along the body
      const d2 = u * u * ia2 + v * v * ib2;
      let t: number;
      if (d2 <= 1) {
        const hv = v - headV;
        t = p.warmth * (1 - 0.3 * d2 + 0.18 * Math.exp(-(u * u + hv * hv) / headR2));
        const i = y * W + x;
        mask[i] = 1;
        pixels++;
        if (x < xmin) xmin = x;
        if (x > xmax) xmax = x;
        if (y < ymin) ymin = y;
        if (y > ymax) ymax = y;
      } else {
        const d = Math.sqrt(d2);
        if (d >= 1.45) continue;
        t = p.warmth * 0.2 * (1.45 - d) / 0.45; // the sensor's blur around the body
      }
      const i = y * W + x;
      if (t > heat[i]!) heat[i] = t;
    }
  }
  if (pixels < 8 || xmax - xmin < 3 || ymax - ymin < 4) return undefined;
  return { mask, pixels, box: [xmin, ymin, xmax, ymax], polygon: hugPolygon(p, xmin, ymin, xmax, ymax) };
}

/**
 * The body's rotated rectangle, its corners mapped linearly onto the mask's box and rounded:
 * the extreme corners land exactly on the box edges, the others inside, so the polygon's bounding
 * box equals the mask's box even for bodies cut by the frame edge.
 */
function hugPolygon(p: PersonShape, xmin: number, ymin: number, xmax: number, ymax: number): number[] {
  const cos = Math.cos(p.angle);
  const sin = Math.sin(p.angle);
  const corners: Array<[number, number]> = [
    [-p.halfWidth, -p.halfHeight],
    [p.halfWidth, -p.halfHeight],
    [p.halfWidth, p.halfHeight],
    [-p.halfWidth, p.halfHeight],
  ];
  const xs = corners.map(([u, v]) => p.cx + u * cos - v * sin);
  const ys = corners.map(([u, v]) => p.cy + u * sin + v * cos);
  const rx0 = Math.min(...xs);
  const rx1 = Math.max(...xs);
  const ry0 = Math.min(...ys);
  const ry1 = Math.max(...ys);
  const polygon: number[] = [];
  for (let k = 0; k < 4; k++) {
    polygon.push(
      Math.round(xmin + ((xs[k]! - rx0) / (rx1 - rx0)) * (xmax - xmin)),
      Math.round(ymin + ((ys[k]! - ry0) / (ry1 - ry0)) * (ymax - ymin)),
    );
  }
  return polygon;
}
