// The output grid a detector's targets are drawn on, from the options both target builders take
// (stride, frame size, Gaussian overlap, objects per frame), checked once for both.
import { InputError } from '../core/errors.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../transforms/reference-schema.js';

/** The options centerNetTargets and cornerNetTargets share (their own interfaces document them). */
interface GridOptions {
  stride?: number;
  width?: number;
  height?: number;
  minOverlap?: number;
  maxObjects?: number;
}

/** A frame's checked target grid. Internal to the detectors. */
export interface TargetGrid {
  /** Output stride. */
  R: number;
  width: number;
  height: number;
  maxObjects: number;
  minOverlap: number;
  /** Boxes in the frame. */
  count: number;
  outWidth: number;
  outHeight: number;
  /** outWidth * outHeight. */
  cells: number;
}

/**
 * The grid for `boxes` (4 numbers each) under `options`, `stride` the detector's default; an
 * InputError names `caller` when the stride does not divide the frame, the box values are not
 * whole boxes, or there are more boxes than maxObjects (default 32).
 */
export function targetGrid(caller: string, boxes: ArrayLike<number>, options: GridOptions, stride: number): TargetGrid {
  const R = options.stride ?? stride;
  const width = options.width ?? FRAME_WIDTH;
  const height = options.height ?? FRAME_HEIGHT;
  const maxObjects = options.maxObjects ?? 32;
  const minOverlap = options.minOverlap ?? 0.7;
  if (!(R >= 1) || width % R !== 0 || height % R !== 0) throw new InputError(`${caller}: stride ${R} does not divide ${width} x ${height}`);
  if (boxes.length % 4 !== 0) throw new InputError(`${caller}: ${boxes.length} box values are not 4 per box`);
  const count = boxes.length / 4;
  if (count > maxObjects) throw new InputError(`${caller}: ${count} boxes, more than maxObjects ${maxObjects}`);
  const outWidth = width / R;
  const outHeight = height / R;
  return { R, width, height, maxObjects, minOverlap, count, outWidth, outHeight, cells: outWidth * outHeight };
}
