// One synthetic thermal frame: a cool background with a gentle gradient and sensor noise, plus
// k non-overlapping warm persons. Returns the uint8 frame, the target (mask) image and the
// polygons in the reference layout.

import type { Rng } from '../core/random.js';
import { FRAME_BYTES, FRAME_WIDTH, FRAME_HEIGHT } from '../transforms/reference-schema.js';
import { renderPerson, samplePerson, type RenderedPerson } from './person-blob.js';

/**
 * One rendered synthetic frame: the thermal image, the mask of person pixels, and the persons drawn.
 */
export interface ThermalFrame {
  image: Uint8Array;
  /** 255 on person pixels, 0 elsewhere. */
  filter: Uint8Array;
  persons: RenderedPerson[];
}

/** Value written to `filters` on person pixels. */
export const FILTER_ON = 255;

const W = FRAME_WIDTH;
const H = FRAME_HEIGHT;
const MAX_TRIES = 40;

function overlapsDilated(mask: Uint8Array, taken: Uint8Array): boolean {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!mask[y * W + x]) continue;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(H - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(W - 1, x + 1); xx++) {
          if (taken[yy * W + xx]) return true;
        }
      }
    }
  }
  return false;
}

/** Renders a frame with exactly `count` persons (each at least partly visible, not touching). */
export function renderThermalFrame(count: number, rng: Rng): ThermalFrame {
  const heat = new Float32Array(FRAME_BYTES);
  const taken = new Uint8Array(FRAME_BYTES);
  const persons: RenderedPerson[] = [];
  let tries = 0;
  while (persons.length < count) {
    const scratch = heat.slice();
    const person = renderPerson(samplePerson(rng), scratch);
    tries++;
    // A person must be visible enough to annotate and, while tries remain, not touch another.
    if (person === undefined) continue;
    if (persons.length > 0 && tries < MAX_TRIES && overlapsDilated(person.mask, taken)) continue;
    heat.set(scratch);
    for (let i = 0; i < FRAME_BYTES; i++) taken[i] = taken[i]! | person.mask[i]!;
    persons.push(person);
  }

  // Background: a cool level, a linear gradient (a warmer wall, a window) and sensor noise.
  const level = rng.uniform(45, 85);
  const gx = rng.uniform(-0.5, 0.5);
  const gy = rng.uniform(-0.5, 0.5);
  const noise = rng.uniform(1.5, 4);
  const image = new Uint8Array(FRAME_BYTES);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const v = level + gx * (x - W / 2) + gy * (y - H / 2) + heat[i]! + noise * rng.normal();
      image[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  const filter = new Uint8Array(FRAME_BYTES);
  for (let i = 0; i < FRAME_BYTES; i++) if (taken[i]) filter[i] = FILTER_ON;
  return { image, filter, persons };
}
