// CornerNet's Gaussian radius and the Gaussian splat CenterNet draws its centre heatmap with.

/**
 * CornerNet's `gaussian_radius` for a box of `height` x `width`: the smallest of the three
 * quadratic solutions that bound how far a box's corners may move while its IoU with the box
 * stays at least `minOverlap` (0.7 in CenterNet). Each root is computed as (b + sqrt(b² - 4ac)) / 2,
 * exactly as CornerNet's and CenterNet's published code does (CornerNet-Lite later changed
 * the divisors); detectors trained on that code get these radii.
 *
 * @example
 * console.log(gaussianRadius(9, 7)); // ≈ 2.155, so integer radius 2 for a 7 x 9 person
 */
export function gaussianRadius(height: number, width: number, minOverlap = 0.7): number {
  const b1 = height + width;
  const c1 = (width * height * (1 - minOverlap)) / (1 + minOverlap);
  const r1 = (b1 + Math.sqrt(b1 * b1 - 4 * c1)) / 2;
  const b2 = 2 * (height + width);
  const c2 = (1 - minOverlap) * width * height;
  const r2 = (b2 + Math.sqrt(b2 * b2 - 16 * c2)) / 2;
  const a3 = 4 * minOverlap;
  const b3 = -2 * minOverlap * (height + width);
  const c3 = (minOverlap - 1) * width * height;
  const r3 = (b3 + Math.sqrt(b3 * b3 - 4 * a3 * c3)) / 2;
  return Math.min(r1, r2, r3);
}

/**
 * Splats a Gaussian peak of height 1 at integer cell (cx, cy) into `heatmap` (row-major,
 * `height` x `width`), keeping the larger value where peaks overlap: CenterNet's
 * `draw_umich_gaussian` with a (2r + 1)-wide window and sigma = diameter / 6, values below
 * float64 epsilon times the peak set to 0, clipped at the map's edges.
 *
 * @example
 * const heatmap = new Float32Array(24 * 32);
 * drawGaussian(heatmap, 32, 24, 10, 5, 2);
 * console.log(heatmap[5 * 32 + 10], heatmap[5 * 32 + 11]); // 1, exp(-1 / (2 * (5/6)^2)) ≈ 0.487
 */
export function drawGaussian(heatmap: Float32Array, width: number, height: number, cx: number, cy: number, radius: number): void {
  const r = Math.max(0, Math.floor(radius));
  const sigma = (2 * r + 1) / 6;
  const denominator = 2 * sigma * sigma;
  for (let dy = -Math.min(cy, r); dy < Math.min(height - cy, r + 1); dy++) {
    for (let dx = -Math.min(cx, r); dx < Math.min(width - cx, r + 1); dx++) {
      let v = Math.exp(-(dx * dx + dy * dy) / denominator);
      if (v < Number.EPSILON) v = 0;
      const i = (cy + dy) * width + (cx + dx);
      if (v > heatmap[i]!) heatmap[i] = v;
    }
  }
}
