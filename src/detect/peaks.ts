// Keypoint peaks of a heatmap over typed arrays, as CenterNet and CornerNet decode them: cells
// equal to their 3x3 max-pool, the best K by score.

/**
 * The cells (y * width + x) of one `height` x `width` heatmap starting at `base` in `heatmap`
 * that are peaks — equal to the maximum of their 3x3 neighbourhood (a 3x3 max-pool, stride 1,
 * pad 1; cells outside the grid do not count, and a plateau keeps all its cells) — scoring at
 * least `threshold`; the `topK` best by score, ties by lower cell index.
 *
 * @example
 * const heatmap = new Float32Array(4 * 4);
 * heatmap.set([0.9, 0.5], 5); // cells 5 and 6 are neighbours: only 5 is a peak
 * heatmap[15] = 0.3;
 * console.log(heatmapPeaks(heatmap, 0, 4, 4, 10, 0.1)); // [5, 15]
 */
export function heatmapPeaks(heatmap: ArrayLike<number>, base: number, width: number, height: number, topK: number, threshold = 0): number[] {
  const peaks: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = heatmap[base + y * width + x]!;
      if (v >= threshold && isPeak(heatmap, base, width, height, x, y, v)) peaks.push(y * width + x);
    }
  }
  peaks.sort((i, j) => heatmap[base + j]! - heatmap[base + i]! || i - j);
  return peaks.length > topK ? peaks.slice(0, topK) : peaks;
}

/** v equals the max of its 3x3 neighbourhood (cells outside the grid do not count). */
function isPeak(heatmap: ArrayLike<number>, base: number, W: number, H: number, x: number, y: number, v: number): boolean {
  for (let yy = Math.max(0, y - 1); yy <= Math.min(H - 1, y + 1); yy++) {
    for (let xx = Math.max(0, x - 1); xx <= Math.min(W - 1, x + 1); xx++) {
      if (heatmap[base + yy * W + xx]! > v) return false;
    }
  }
  return true;
}
