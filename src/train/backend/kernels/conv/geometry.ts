// The shape of one 2-D convolution as every conv kernel and SIMD generator reads it, in a file of
// its own so that the kernels (forward, filter and input gradients), the tiling and the code
// generators all import it from below instead of from one another.
import * as tf from '@tensorflow/tfjs';

/** A convolution's sizes, strides and leading padding (NHWC, dilation 1), from tfjs's own computeConv2DInfo. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: [number, number] | number,
  pad: tf.backend_util.Conv2DInfo['padInfo']['type'] | number | 'same' | 'valid' | tf.backend_util.ExplicitPadding,
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): ConvGeometry {
  // Memoised: every conv kernel call asks, and computeConv2DInfo allocates a fair amount.
  const key = geometryKey(xShape, filterShape, strides, pad, dimRoundingMode);
  let g = geometries.get(key);
  if (g === undefined) {
    const info = tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      filterShape as [number, number, number, number],
      strides,
      1,
      pad as 'same' | 'valid' | number,
      dimRoundingMode,
    );
    g = Object.freeze({
      batch: info.batchSize,
      inH: info.inHeight,
      inW: info.inWidth,
      inC: info.inChannels,
      outH: info.outHeight,
      outW: info.outWidth,
      outC: info.outChannels,
      kH: info.filterHeight,
      kW: info.filterWidth,
      strideH: info.strideHeight,
      strideW: info.strideWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    });
    if (geometries.size > 256) geometries.clear();
    geometries.set(key, g);
  }
  return g;
}

const geometries = new Map<string, ConvGeometry>();

/** The memo key, built without JSON or array-to-string conversions (every conv call pays it). */
function geometryKey(
  xShape: readonly number[], filterShape: readonly number[], strides: [number, number] | number, pad: unknown, dimRoundingMode?: string,
): string {
  let key = '';
  for (let i = 0; i < xShape.length; i++) key += xShape[i] + ',';
  for (let i = 0; i < filterShape.length; i++) key += filterShape[i] + ',';
  key += typeof strides === 'number' ? strides : strides[0] + 'x' + strides[1];
  if (typeof pad === 'string' || typeof pad === 'number') key += '|' + pad;
  else for (const side of pad as number[][]) key += '|' + side[0] + ',' + side[1];
  return key + '|' + dimRoundingMode;
}

/**
 * Height and width of the input as the conv saw it (padding applied, at least every row and
 * column a window reached); `exact` when that is the input itself (no padding needed).
 */
export function paddedExtent(g: ConvGeometry): { H: number; W: number; exact: boolean } {
  const H = Math.max((g.outH - 1) * g.strideH + g.kH, g.inH + g.padTop);
  const W = Math.max((g.outW - 1) * g.strideW + g.kW, g.inW + g.padLeft);
  return { H, W, exact: H === g.inH && W === g.inW && g.padTop === 0 && g.padLeft === 0 };
}
