// The fixed facts of the reference localization workflow (REFERENCE.md §1): frame geometry and
// the names of the eight input sets in their concatenation order.

/** Frame width in pixels (the 32 columns of the thermal sensor). */
export const FRAME_WIDTH = 32;
/** Frame height in pixels (24 rows). */
export const FRAME_HEIGHT = 24;
/** Bytes of one uint8 frame: 24 * 32. */
export const FRAME_BYTES = FRAME_WIDTH * FRAME_HEIGHT;
/** Shape of one parsed image, HWC as the model takes it. */
export const IMAGE_SHAPE: readonly number[] = [FRAME_HEIGHT, FRAME_WIDTH, 1];
/** Most persons per frame in the reference coordinates array (N, 3, 8). */
export const MAX_PERSONS = 3;

/** The eight npz sets in the order step 0 concatenates them: origins, then each flip, d1 before d2. */
export const REFERENCE_ORDER = [
  'dataset1_origin',
  'dataset2_origin',
  'dataset1_horizon',
  'dataset2_horizon',
  'dataset1_vertical',
  'dataset2_vertical',
  'dataset1_vh',
  'dataset2_vh',
] as const;

/** One of the eight reference set names (REFERENCE_ORDER). */
export type ReferenceSetName = (typeof REFERENCE_ORDER)[number];

/** The four arrays each reference npz holds. */
export const REFERENCE_KEYS = ['images', 'filters', 'numbers', 'coordinates'] as const;
/** One of the four arrays of a reference npz (REFERENCE_KEYS). */
export type ReferenceKey = (typeof REFERENCE_KEYS)[number];

/**
 * The file name of a reference set: `dataset1_origin.npz`.
 *
 * @example
 * referenceFileName('dataset1_origin'); // 'dataset1_origin.npz'
 */
export function referenceFileName(set: ReferenceSetName): string {
  return `${set}.npz`;
}
