import * as tf from '@tensorflow/tfjs';

/**
 * Box overlap metrics.
 *
 * Inputs are either tf tensors (the result is a tensor, usable inside a loss) or plain
 * arrays: `{ data, shape }` with shape `(..., 4)`, a single box `number[4]`, or a list of
 * boxes `number[][]`. Plain inputs are computed in float64 in JS and returned as
 * `{ data: Float64Array, shape: [..., 1] }`. The two arguments must hold the same number of
 * boxes, or one of them a single box that is compared against every box of the other.
 */
export type BoxFormat = 'mid' | 'min' | 'corners';
/** Boxes as a flat array with a shape [..., 4] (a tensor's data and shape, without tfjs). */
export interface BoxArray {
  data: ArrayLike<number>;
  shape: readonly number[];
}
/** Boxes in any of the forms the metrics accept: a BoxArray, one box, or a list of boxes. */
export type BoxInput = BoxArray | readonly number[] | readonly (readonly number[])[];
/** A metric per box pair, in float64, with the boxes' leading shape and a trailing 1. */
export interface MetricArray {
  data: Float64Array;
  shape: number[];
}
export interface BoxOptions {
  /** `mid` = [xc, yc, w, h] (YOLO), `min` = [xmin, ymin, w, h], `corners` = [xmin, ymin, xmax, ymax]. */
  format?: BoxFormat;
}

/**
 * Intersection over union of two sets of boxes (pairwise, or one box against many), on tensors or
 * plain arrays; boxes are [xc, yc, w, h] by default (options.format).
 * @example
 * const overlap = iou([0.5, 0.5, 0.2, 0.2], [0.55, 0.5, 0.2, 0.2]).data[0]; // 0.6
 */
export function iou(a: tf.Tensor, b: tf.Tensor, options?: BoxOptions): tf.Tensor;
export function iou(a: BoxInput, b: BoxInput, options?: BoxOptions): MetricArray;
export function iou(a: tf.Tensor | BoxInput, b: tf.Tensor | BoxInput, options: BoxOptions = {}): tf.Tensor | MetricArray {
  const format = options.format ?? 'mid';
  if (a instanceof tf.Tensor || b instanceof tf.Tensor) {
    return tf.tidy(() => {
      const [ax1, ay1, ax2, ay2] = tensorCorners(toTensor(a), format);
      const [bx1, by1, bx2, by2] = tensorCorners(toTensor(b), format);
      const iw = tf.relu(tf.sub(tf.minimum(ax2, bx2), tf.maximum(ax1, bx1)));
      const ih = tf.relu(tf.sub(tf.minimum(ay2, by2), tf.maximum(ay1, by1)));
      const inter = tf.mul(iw, ih);
      const union = tf.sub(tf.add(tf.mul(tf.sub(ax2, ax1), tf.sub(ay2, ay1)), tf.mul(tf.sub(bx2, bx1), tf.sub(by2, by1))), inter);
      // 0 where the union is 0 (two empty boxes), as the reference metric does.
      const safe = tf.where(tf.greater(union, 0), union, tf.onesLike(union));
      return tf.where(tf.greater(union, 0), tf.div(inter, safe), tf.zerosLike(union));
    });
  }
  return pairwise(a, b, (p, q) => {
    const [ax1, ay1, ax2, ay2] = corners(p, format);
    const [bx1, by1, bx2, by2] = corners(q, format);
    const inter = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0) * Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0);
    const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
    return union > 0 ? inter / union : 0;
  });
}

/**
 * Generalized IoU of pixel boxes with the +1 convention (a box [x1, y1, x2, y2] covers
 * x2 - x1 + 1 columns). Default format `corners`; `mid`/`min` are converted first.
 */
export function giou(a: tf.Tensor, b: tf.Tensor, options?: BoxOptions): tf.Tensor;
export function giou(a: BoxInput, b: BoxInput, options?: BoxOptions): MetricArray;
export function giou(a: tf.Tensor | BoxInput, b: tf.Tensor | BoxInput, options: BoxOptions = {}): tf.Tensor | MetricArray {
  const format = options.format ?? 'corners';
  if (a instanceof tf.Tensor || b instanceof tf.Tensor) {
    return tf.tidy(() => {
      const [ax1, ay1, ax2, ay2] = tensorCorners(toTensor(a), format);
      const [bx1, by1, bx2, by2] = tensorCorners(toTensor(b), format);
      const span = (lo: tf.Tensor, hi: tf.Tensor): tf.Tensor => tf.add(tf.sub(hi, lo), 1);
      const areaA = tf.mul(span(ax1, ax2), span(ay1, ay2));
      const areaB = tf.mul(span(bx1, bx2), span(by1, by2));
      const overlap = tf.mul(
        tf.relu(span(tf.maximum(ax1, bx1), tf.minimum(ax2, bx2))),
        tf.relu(span(tf.maximum(ay1, by1), tf.minimum(ay2, by2))),
      );
      const union = tf.sub(tf.add(areaA, areaB), overlap);
      const closure = tf.mul(span(tf.minimum(ax1, bx1), tf.maximum(ax2, bx2)), span(tf.minimum(ay1, by1), tf.maximum(ay2, by2)));
      return tf.sub(tf.div(overlap, union), tf.div(tf.sub(closure, union), closure));
    });
  }
  return pairwise(a, b, (p, q) => giouPair(corners(p, format), corners(q, format)));
}

/** `1 - giou`, averaged over all boxes (a scalar tensor for tensors, a number for arrays). */
export function giouLoss(pred: tf.Tensor, target: tf.Tensor, options?: BoxOptions): tf.Scalar;
export function giouLoss(pred: BoxInput, target: BoxInput, options?: BoxOptions): number;
export function giouLoss(pred: tf.Tensor | BoxInput, target: tf.Tensor | BoxInput, options: BoxOptions = {}): tf.Scalar | number {
  if (pred instanceof tf.Tensor || target instanceof tf.Tensor) {
    return tf.tidy(() => tf.mean(tf.sub(1, giou(toTensor(pred), toTensor(target), options))) as tf.Scalar);
  }
  const g = giou(pred, target, options).data;
  let sum = 0;
  for (const v of g) sum += 1 - v;
  return sum / g.length;
}

function giouPair(a: readonly number[], b: readonly number[]): number {
  const [ax1, ay1, ax2, ay2] = a as [number, number, number, number];
  const [bx1, by1, bx2, by2] = b as [number, number, number, number];
  const areaA = (ax2 - ax1 + 1) * (ay2 - ay1 + 1);
  const areaB = (bx2 - bx1 + 1) * (by2 - by1 + 1);
  const overlap =
    Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1) + 1, 0) * Math.max(Math.min(ay2, by2) - Math.max(ay1, by1) + 1, 0);
  const union = areaA + areaB - overlap;
  const closure = (Math.max(ax2, bx2) - Math.min(ax1, bx1) + 1) * (Math.max(ay2, by2) - Math.min(ay1, by1) + 1);
  return overlap / union - (closure - union) / closure;
}

/** Converts one box to corners. */
export function corners(box: ArrayLike<number>, format: BoxFormat): [number, number, number, number] {
  const [p, q, r, s] = [box[0]!, box[1]!, box[2]!, box[3]!];
  switch (format) {
    case 'corners':
      return [p, q, r, s];
    case 'min':
      return [p, q, p + r, q + s];
    case 'mid':
      return [p - r / 2, q - s / 2, p + r / 2, q + s / 2];
    default:
      throw new TypeError(`unknown box format ${String(format)}`);
  }
}

function tensorCorners(t: tf.Tensor, format: BoxFormat): tf.Tensor[] {
  if (t.shape[t.rank - 1] !== 4) throw new RangeError(`boxes need a last dimension of 4, got shape [${t.shape}]`);
  const [p, q, r, s] = tf.split(t, 4, -1) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  switch (format) {
    case 'corners':
      return [p, q, r, s];
    case 'min':
      return [p, q, tf.add(p, r), tf.add(q, s)];
    case 'mid': {
      const hw = tf.div(r, 2);
      const hh = tf.div(s, 2);
      return [tf.sub(p, hw), tf.sub(q, hh), tf.add(p, hw), tf.add(q, hh)];
    }
    default:
      throw new TypeError(`unknown box format ${String(format)}`);
  }
}

function toTensor(x: tf.Tensor | BoxInput): tf.Tensor {
  if (x instanceof tf.Tensor) return x;
  const a = toBoxArray(x);
  return tf.tensor(Array.from(a.data), [...a.shape], 'float32');
}

export function toBoxArray(x: BoxInput): BoxArray {
  if (isBoxArray(x)) {
    const n = x.shape.reduce((p, c) => p * c, 1);
    if (x.shape[x.shape.length - 1] !== 4 || x.data.length !== n) {
      throw new RangeError(`boxes need shape (..., 4) matching data length ${x.data.length}, got [${x.shape}]`);
    }
    return x;
  }
  if (x.length > 0 && Array.isArray(x[0])) {
    const rows = x as readonly (readonly number[])[];
    const data: number[] = [];
    for (const row of rows) {
      if (row.length !== 4) throw new RangeError(`each box needs 4 numbers, got ${row.length}`);
      data.push(...row);
    }
    return { data, shape: [rows.length, 4] };
  }
  const flat = x as readonly number[];
  if (flat.length !== 4) throw new RangeError(`a single box needs 4 numbers, got ${flat.length}`);
  return { data: flat, shape: [4] };
}

function isBoxArray(x: BoxInput): x is BoxArray {
  return typeof x === 'object' && x !== null && 'data' in x && 'shape' in x;
}

function pairwise(a: BoxInput, b: BoxInput, fn: (p: ArrayLike<number>, q: ArrayLike<number>) => number): MetricArray {
  const A = toBoxArray(a);
  const B = toBoxArray(b);
  const na = A.data.length / 4;
  const nb = B.data.length / 4;
  if (na !== nb && na !== 1 && nb !== 1) {
    throw new RangeError(`box counts differ: ${na} vs ${nb} (shapes [${A.shape}] and [${B.shape}])`);
  }
  const n = Math.max(na, nb);
  const shape = [...(na >= nb ? A.shape : B.shape).slice(0, -1), 1];
  const out = new Float64Array(n);
  const p = new Float64Array(4);
  const q = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const ia = na === 1 ? 0 : i * 4;
    const ib = nb === 1 ? 0 : i * 4;
    for (let k = 0; k < 4; k++) {
      p[k] = A.data[ia + k]!;
      q[k] = B.data[ib + k]!;
    }
    out[i] = fn(p, q);
  }
  return { data: out, shape };
}
