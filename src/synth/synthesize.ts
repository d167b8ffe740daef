// The seeded generator of the eight reference npz sets. Two "recordings" (dataset1, dataset2)
// are rendered once as `origin`; `horizon`, `vertical` and `vh` are their flips, as in the
// original study. The per-recording person-count mix is fixed (not drawn) so that the size of
// the localization set is known in advance: at scale 1, (324 + 323) one-person frames × 4
// variants = 2588 rows, the original study's count (train 1811, val 777).

import { InputError } from '../core/errors.js';
import type { NdArrayLike } from '../transforms/nd-array.js';
import { createRng, randomPermutation } from '../core/random.js';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_WIDTH, MAX_PERSONS, type ReferenceKey, type ReferenceSetName } from '../transforms/reference-schema.js';
import { flipCoordinates, flipFrames, type FlipKind } from './flips.js';
import { renderThermalFrame } from './thermal-frame.js';

/** Options of synthesizeThermal and writeSyntheticSets: the seed and the size. */
export interface SynthOptions {
  /** Seed of everything drawn (default 0). */
  seed?: number | bigint | string;
  /** Multiplies every frame count (default 1: about 2,600 one-person rows after step 0). */
  scale?: number;
}

/** One synthetic set: the four arrays a reference npz holds. */
export type SyntheticSet = Record<ReferenceKey, NdArrayLike>;
/** All eight synthetic sets by reference name. */
export type SyntheticSets = Record<ReferenceSetName, SyntheticSet>;

/** Frames per person count (index = count 0..3) of each recording at scale 1. */
export const FRAMES_PER_COUNT: Readonly<Record<'dataset1' | 'dataset2', readonly number[]>> = {
  dataset1: [40, 324, 60, 24],
  dataset2: [36, 323, 56, 22],
};

/** Frame counts of a recording at a scale; at least one one-person frame whenever scale > 0. */
export function framesPerCount(recording: 'dataset1' | 'dataset2', scale: number): number[] {
  return FRAMES_PER_COUNT[recording].map((c, k) => (k === 1 ? Math.max(1, Math.round(c * scale)) : Math.round(c * scale)));
}

/** One recording (the `origin` variant): every frame rendered, counts in a seeded random order. */
export function synthesizeRecording(recording: 'dataset1' | 'dataset2', seed: number | bigint | string, scale: number): SyntheticSet {
  const rng = createRng(`recordflow-thermal:${String(seed)}:${recording}`);
  const counts: number[] = [];
  framesPerCount(recording, scale).forEach((frames, persons) => {
    for (let i = 0; i < frames; i++) counts.push(persons);
  });
  const order = randomPermutation(counts.length, rng);
  const n = counts.length;
  const images = new Uint8Array(n * FRAME_BYTES);
  const filters = new Uint8Array(n * FRAME_BYTES);
  const numbers = new BigInt64Array(n);
  const coordinates = new BigInt64Array(n * MAX_PERSONS * 8);
  for (let r = 0; r < n; r++) {
    const count = counts[order[r]!]!;
    const frame = renderThermalFrame(count, rng);
    images.set(frame.image, r * FRAME_BYTES);
    filters.set(frame.filter, r * FRAME_BYTES);
    numbers[r] = BigInt(count);
    frame.persons.forEach((person, p) => {
      const base = (r * MAX_PERSONS + p) * 8;
      for (let k = 0; k < 8; k++) coordinates[base + k] = BigInt(person.polygon[k]!);
    });
  }
  const frameShape = [n, FRAME_HEIGHT, FRAME_WIDTH];
  return {
    images: { dtype: 'uint8', shape: frameShape, data: images },
    filters: { dtype: 'uint8', shape: [...frameShape], data: filters },
    numbers: { dtype: 'int64', shape: [n], data: numbers },
    coordinates: { dtype: 'int64', shape: [n, MAX_PERSONS, 8], data: coordinates },
  };
}

/** A flipped copy of a recording: pixels, targets and polygons flipped together. */
export function flipSet(set: SyntheticSet, kind: FlipKind): SyntheticSet {
  const numbers = set.numbers.data as BigInt64Array;
  return {
    images: { ...set.images, shape: [...set.images.shape], data: flipFrames(set.images.data as Uint8Array, kind) },
    filters: { ...set.filters, shape: [...set.filters.shape], data: flipFrames(set.filters.data as Uint8Array, kind) },
    numbers: { ...set.numbers, shape: [...set.numbers.shape], data: numbers.slice() },
    coordinates: {
      ...set.coordinates,
      shape: [...set.coordinates.shape],
      data: flipCoordinates(set.coordinates.data as BigInt64Array, numbers, MAX_PERSONS, kind),
    },
  };
}

function checkScale(scale: number): void {
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new InputError(`synth: scale must be a positive number, got ${String(scale)}`);
  }
}

/**
 * All eight sets, keyed by set name (REFERENCE_ORDER), deterministic for a seed and scale.
 *
 * @example
 * const sets = synthesizeThermal({ seed: 0, scale: 0.1 });
 * console.log(sets.dataset1_origin.images.shape); // [n, 24, 32]
 */
export function synthesizeThermal(options: SynthOptions = {}): SyntheticSets {
  const seed = options.seed ?? 0;
  const scale = options.scale ?? 1;
  checkScale(scale);
  const d1 = synthesizeRecording('dataset1', seed, scale);
  const d2 = synthesizeRecording('dataset2', seed, scale);
  return {
    dataset1_origin: d1,
    dataset2_origin: d2,
    dataset1_horizon: flipSet(d1, 'horizon'),
    dataset2_horizon: flipSet(d2, 'horizon'),
    dataset1_vertical: flipSet(d1, 'vertical'),
    dataset2_vertical: flipSet(d2, 'vertical'),
    dataset1_vh: flipSet(d1, 'vh'),
    dataset2_vh: flipSet(d2, 'vh'),
  };
}

/**
 * Rows step 0 keeps (numbers == 1) at a scale: 4 variants × both recordings' one-person frames.
 *
 * @example
 * expectedLocalizationRows(1); // 2588 one-person rows after step 0
 */
export function expectedLocalizationRows(scale = 1): number {
  checkScale(scale);
  return 4 * (framesPerCount('dataset1', scale)[1]! + framesPerCount('dataset2', scale)[1]!);
}
