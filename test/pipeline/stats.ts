// Chi-square check of a shuffle's uniformity: over many epochs, every element should land in
// every output position equally often.

/** Pearson's statistic of counts[element][position] against the uniform expectation. */
export function chiSquareOverPositions(orders: number[][], n: number): { statistic: number; df: number } {
  const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const order of orders) {
    if (order.length !== n) throw new Error(`order of length ${order.length}, expected ${n}`);
    order.forEach((element, position) => (counts[element] as number[])[position]++);
  }
  const expected = orders.length / n;
  let statistic = 0;
  for (const row of counts) for (const c of row) statistic += (c - expected) ** 2 / expected;
  // Row and column sums are fixed: (n-1)^2 degrees of freedom.
  return { statistic, df: (n - 1) * (n - 1) };
}

/**
 * An upper bound on the chi-square quantile far out in the tail (Wilson–Hilferty with z = 4.75,
 * i.e. p ≈ 1e-6): a uniform shuffle stays below it, a biased one (e.g. the naive
 * swap-with-any-index shuffle, or a buffer that is too small) goes far above.
 */
export function chiSquareBound(df: number): number {
  const z = 4.75;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}
