// Stable orders over typed arrays: highest score first with ties in input order (what numpy's
// argsort(-scores, kind='mergesort') gives), and a stable counting sort by small integer keys.
// A least-significant-digit radix sort on the scores' bits keeps 500,000 detections cheap.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

/**
 * The positions of `order` rearranged so that `scores[order[j]]` falls, equal scores keeping
 * their order in `order`. `order` is left as it was.
 */
export function orderByScoreDesc(scores: Float64Array, order: Int32Array): Int32Array {
  const n = order.length;
  if (n < 48) return insertionByScoreDesc(scores, Int32Array.from(order));
  // Ascending keys of -score: flip the sign bit of non-negative values, every bit of negative
  // ones, so unsigned order is numeric order. -0 is folded into +0 (they compare equal).
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let j = 0; j < n; j++) {
    f64[0] = -scores[order[j]!]! + 0;
    const h = u32[HI]!;
    const l = u32[LO]!;
    if (h & 0x80000000) {
      hi[j] = ~h >>> 0;
      lo[j] = ~l >>> 0;
    } else {
      hi[j] = (h | 0x80000000) >>> 0;
      lo[j] = l;
    }
  }
  // Positions into lo/hi, permuted pass by pass.
  let cur = new Int32Array(n);
  for (let j = 0; j < n; j++) cur[j] = j;
  let next = new Int32Array(n);
  const count = new Int32Array(65537);
  const passes: [Uint32Array, number][] = [
    [lo, 0],
    [lo, 16],
    [hi, 0],
    [hi, 16],
  ];
  for (const [words, shift] of passes) {
    count.fill(0);
    for (let j = 0; j < n; j++) count[((words[j]! >>> shift) & 0xffff) + 1]!++;
    // A digit every key shares leaves the order as it is.
    if (count[((words[0]! >>> shift) & 0xffff) + 1] === n) continue;
    for (let d = 1; d <= 65536; d++) count[d]! += count[d - 1]!;
    for (let j = 0; j < n; j++) {
      const p = cur[j]!;
      next[count[(words[p]! >>> shift) & 0xffff]!++] = p;
    }
    const t = cur;
    cur = next;
    next = t;
  }
  for (let j = 0; j < n; j++) cur[j] = order[cur[j]!]!;
  return cur;
}

function insertionByScoreDesc(scores: Float64Array, a: Int32Array): Int32Array {
  for (let i = 1; i < a.length; i++) {
    const v = a[i]!;
    const s = scores[v]!;
    let j = i - 1;
    while (j >= 0 && scores[a[j]!]! < s) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
  return a;
}

/**
 * `order` stably sorted by `keys[order[j]]` (integers in [0, buckets)); also returns where each
 * key's run starts (`starts[key]`, with `starts[buckets]` = the length).
 */
export function orderByKey(keys: Int32Array, order: Int32Array, buckets: number): { order: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(buckets + 1);
  for (let j = 0; j < order.length; j++) starts[keys[order[j]!]! + 1]!++;
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const fill = starts.slice(0, buckets);
  const out = new Int32Array(order.length);
  for (let j = 0; j < order.length; j++) {
    const p = order[j]!;
    out[fill[keys[p]!]!++] = p;
  }
  return { order: out, starts };
}
