// pycocotools' computeIoU and evaluateImg for boxes: per bucket (one image and category) the
// IoU of every kept detection with every ground truth, then greedy matching per area range and
// IoU threshold. The outcome per (area range, threshold, detection) is one code: true
// positive, false positive, or ignored.
import type { Prepared } from './prepare.js';

export const FALSE_POSITIVE = 0;
export const TRUE_POSITIVE = 1;
export const IGNORED = 2;
/** A kind: the codes differ between thresholds (see Matches.codes). */
export const MIXED = 3;

export interface Matches {
  /** kind[p * A + a] for the kept detection at sorted position p (see Prepared.sortedPos) and
   * area range a: its code at every threshold, or MIXED + s when its codes differ between
   * thresholds and are codes[s * T + t]. One detection's kinds share a cache line. */
  kind: Int32Array;
  /** Per-threshold codes of the detections whose kind says so (most match nothing). */
  codes: Uint8Array;
  /** Ground truth not ignored per (k, a): the recall denominators. */
  npig: Float64Array;
  /** Does category k have any bucket with ground truth or detections? */
  hasEval: Uint8Array;
}

/** Grows-on-demand scratch space shared by all buckets. */
class Scratch {
  iou = new Float64Array(64);
  maxIou = new Float64Array(16);
  box = new Float64Array(64);
  order = new Int32Array(16);
  ignore = new Uint8Array(16);
  taken = new Uint8Array(16);
  /** owner[a]: the area range whose matching area range a shares (same ignore pattern). */
  owner = new Int32Array(0);
  /** Per area range: its ignore pattern and matched ground truth per (t, d), or -1. */
  patterns: Uint8Array[] = [];
  matched: Int32Array[] = [];

  ensure(D: number, G: number, A: number, T: number): void {
    if (this.iou.length < D * G) this.iou = new Float64Array(D * G * 2);
    if (this.maxIou.length < D) {
      this.maxIou = new Float64Array(D * 2);
      this.box = new Float64Array(D * 8);
    }
    if (this.owner.length < A) this.owner = new Int32Array(A);
    if (this.order.length < G) {
      this.order = new Int32Array(G * 2);
      this.ignore = new Uint8Array(G * 2);
      this.taken = new Uint8Array(G * 2);
    }
    for (let a = 0; a < A; a++) {
      if ((this.patterns[a]?.length ?? -1) < G) this.patterns[a] = new Uint8Array(G * 2);
      if ((this.matched[a]?.length ?? -1) < T * D) this.matched[a] = new Int32Array(T * D * 2);
    }
  }
}

/** Fills `s.iou[d * G + g]` as maskApi's bbIou does (a crowd box divides by the detection's
 * area alone) and `s.maxIou[d]`. */
function computeIoU(pr: Prepared, s: Scratch, D: number, g0: number, G: number): void {
  const { gtBox, gtCrowd } = pr;
  const dtBox = s.box;
  const iou = s.iou;
  for (let d = 0; d < D; d++) {
    const o = 4 * d;
    const dx = dtBox[o]!;
    const dy = dtBox[o + 1]!;
    const dw = dtBox[o + 2]!;
    const dh = dtBox[o + 3]!;
    const da = dw * dh;
    let best = 0;
    for (let g = 0; g < G; g++) {
      const q = 4 * (g0 + g);
      const gx = gtBox[q]!;
      const gy = gtBox[q + 1]!;
      const gw = gtBox[q + 2]!;
      const gh = gtBox[q + 3]!;
      let v = 0;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w > 0) {
        const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
        if (h > 0) {
          const inter = w * h;
          v = inter / (gtCrowd[g0 + g] ? da : da + gw * gh - inter);
        }
      }
      iou[d * G + g] = v;
      if (v > best) best = v;
    }
    s.maxIou[d] = best;
  }
}

/** Greedy matching of one bucket under one ignore pattern, for every threshold: fills
 * `matched[t * D + d]` with the ground truth (bucket index) detection d takes, or -1. */
function matchPattern(pr: Prepared, s: Scratch, ignore: Uint8Array, matched: Int32Array, g0: number, G: number, D: number): void {
  const { iouThrs } = pr.params;
  const { order, taken, iou, maxIou } = s;
  // Regular ground truth first, ignored last, each in list order (a stable argsort).
  let q = 0;
  for (let g = 0; g < G; g++) if (!ignore[g]) order[q++] = g;
  for (let g = 0; g < G; g++) if (ignore[g]) order[q++] = g;
  const crowd = pr.gtCrowd;
  for (let t = 0; t < iouThrs.length; t++) {
    const floor = Math.min(iouThrs[t]!, 1 - 1e-10);
    taken.fill(0, 0, G);
    const row = t * D;
    for (let d = 0; d < D; d++) {
      if (maxIou[d]! < floor) {
        matched[row + d] = -1;
        continue;
      }
      let best = floor;
      let m = -1;
      const base = d * G;
      for (let j = 0; j < G; j++) {
        const g = order[j]!;
        if (taken[j] && !crowd[g0 + g]) continue;
        // Once a regular match is found, ignored ground truth cannot replace it.
        if (m > -1 && !ignore[order[m]!] && ignore[g]) break;
        const v = iou[base + g]!;
        if (v < best) continue;
        best = v;
        m = j;
      }
      if (m === -1) matched[row + d] = -1;
      else {
        taken[m] = 1;
        matched[row + d] = order[m]!;
      }
    }
  }
}

/** Runs every bucket; the result feeds accumulate(). */
export function matchAll(pr: Prepared): Matches {
  const { iouThrs, areaRng } = pr.params;
  const T = iouThrs.length;
  const A = areaRng.length;
  const { I, K, gtStart, dtStart, dtCount, gtArea, gtCrowd, gtIdTruthy, sortedPos, detections, dtEntry } = pr;
  // Below the lowest threshold a detection matches nothing at any threshold.
  let lowest = Infinity;
  for (const t of iouThrs) lowest = Math.min(lowest, t, 1 - 1e-10);
  const N = dtStart[K * I]!;
  const kind = new Int32Array(A * N);
  let codes = new Uint8Array(Math.max(T, 1) * 1024);
  let used = 0;
  const npig = new Float64Array(K * A);
  const hasEval = new Uint8Array(K);
  const s = new Scratch();
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < I; i++) {
      const b = k * I + i;
      const g0 = gtStart[b]!;
      const G = gtStart[b + 1]! - g0;
      const d0 = dtStart[b]!;
      const D = dtStart[b + 1]! - d0;
      if (G === 0 && dtCount[b] === 0) continue;
      hasEval[k] = 1;
      s.ensure(D, G, A, T);
      // This bucket's boxes, read once from the results entries.
      for (let d = 0; d < D; d++) {
        const bbox = detections[dtEntry[d0 + d]!]!.bbox;
        s.box[4 * d] = bbox[0]!;
        s.box[4 * d + 1] = bbox[1]!;
        s.box[4 * d + 2] = bbox[2]!;
        s.box[4 * d + 3] = bbox[3]!;
      }
      if (G > 0 && D > 0) computeIoU(pr, s, D, g0, G);
      for (let a = 0; a < A; a++) {
        const lo = areaRng[a]![0];
        const hi = areaRng[a]![1];
        const ignore = s.patterns[a]!;
        let regular = 0;
        for (let g = 0; g < G; g++) {
          const area = gtArea[g0 + g]!;
          ignore[g] = gtCrowd[g0 + g] || area < lo || area > hi ? 1 : 0;
          if (!ignore[g]) regular++;
        }
        npig[k * A + a]! += regular;
        if (D === 0) continue;
        // Area ranges often ignore the same ground truth (all boxes small, say): match once.
        let matched: Int32Array | undefined;
        if (G > 0) {
          let src = -1;
          for (let a2 = 0; a2 < a && src < 0; a2++) {
            if (s.owner[a2] !== a2) continue;
            const other = s.patterns[a2]!;
            let same = true;
            for (let g = 0; g < G && same; g++) same = other[g] === ignore[g];
            if (same) src = a2;
          }
          if (src < 0) {
            matchPattern(pr, s, ignore, s.matched[a]!, g0, G, D);
            src = a;
          }
          s.owner[a] = src;
          matched = s.matched[src]!;
        }
        for (let d = 0; d < D; d++) {
          const dArea = s.box[4 * d + 2]! * s.box[4 * d + 3]!;
          const outside = dArea < lo || dArea > hi;
          const p = sortedPos[d0 + d]!;
          const miss = outside ? IGNORED : FALSE_POSITIVE;
          if (!matched || s.maxIou[d]! < lowest) {
            kind[p * A + a] = miss;
            continue;
          }
          if ((used + 1) * T > codes.length) {
            const grown = new Uint8Array(codes.length * 2);
            grown.set(codes);
            codes = grown;
          }
          kind[p * A + a] = MIXED + used;
          const out = used++ * T;
          for (let t = 0; t < T; t++) {
            const m = matched[t * D + d]!;
            let code = miss;
            if (m >= 0) {
              // The match's id is tested for truth: id 0 reads as unmatched.
              const hit = gtIdTruthy[g0 + m] === 1;
              code = ignore[m] || (!hit && outside) ? IGNORED : hit ? TRUE_POSITIVE : FALSE_POSITIVE;
            }
            codes[out + t] = code;
          }
        }
      }
    }
  }
  return { kind, codes, npig, hasEval };
}
