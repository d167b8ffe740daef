// pycocotools' accumulate: per category, area range and maxDets, every image's first maxDets
// detections merged highest score first (stable), cumulative true and false positives, the
// precision envelope sampled at the recall thresholds with a left searchsorted.
//
// Only true positives need visiting: recall rises only at them, so every sample a left
// searchsorted picks (for a threshold above 0) is the detection that brings the c-th true
// positive; and between true positives precision only falls (false positives) or stays
// (ignored detections), so the envelope's value there is the largest precision among true
// positives from the c-th on. The values are the same doubles pycocotools computes.
import type { Matches } from './match.js';
import type { Prepared } from './prepare.js';

/** numpy's np.spacing(1), added to the precision denominator. */
const EPS = 2.220446049250313e-16;
/** match.ts's codes (inlined: a hot loop should not read another module's bindings). */
const TP = 1;
const FP = 0;
const MIXED = 3;

export interface Accumulated {
  counts: [number, number, number, number, number];
  precision: Float64Array;
  recall: Float64Array;
  scores: Float64Array;
}

export function accumulate(pr: Prepared, mt: Matches): Accumulated {
  const { iouThrs, recThrs, maxDets, areaRng } = pr.params;
  const T = iouThrs.length;
  const R = recThrs.length;
  const K = pr.K;
  const A = areaRng.length;
  const M = maxDets.length;
  const I = pr.I;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  const { kind, codes, npig, hasEval } = mt;
  const { sortedRank, sortedScore, dtStart } = pr;
  const stride = K * A * M;
  const tp = new Int32Array(T);
  const fp = new Int32Array(T);
  let sel = new Int32Array(0);
  let tpPrecision = new Float64Array(0);
  let tpAt = new Int32Array(0);
  for (let k = 0; k < K; k++) {
    if (!hasEval[k]) continue;
    const from = dtStart[k * I]!;
    const to = dtStart[(k + 1) * I]!;
    if (sel.length < to - from) sel = new Int32Array(to - from);
    for (let m = 0; m < M; m++) {
      const maxDet = maxDets[m]!;
      let nd = 0;
      for (let p = from; p < to; p++) if (sortedRank[p]! < maxDet) sel[nd++] = p;
      for (let a = 0; a < A; a++) {
        const gts = npig[k * A + a]!;
        if (gts === 0) continue;
        // At most one true positive per regular ground truth and threshold.
        const cap = gts;
        if (tpPrecision.length < T * cap) {
          tpPrecision = new Float64Array(T * cap);
          tpAt = new Int32Array(T * cap);
        }
        tp.fill(0);
        fp.fill(0);
        // False positives at every threshold are counted once, in fpAll.
        let fpAll = 0;
        for (let j = 0; j < nd; j++) {
          const kd = kind[sel[j]! * A + a]!;
          if (kd === FP) fpAll++;
          else if (kd >= MIXED) {
            const base = (kd - MIXED) * T;
            for (let t = 0; t < T; t++) {
              const c = codes[base + t];
              if (c === TP) {
                const n = ++tp[t]!;
                tpPrecision[t * cap + n - 1] = n / (fp[t]! + fpAll + n + EPS);
                tpAt[t * cap + n - 1] = j;
              } else if (c === FP) fp[t]!++;
            }
          }
        }
        const cell = (k * A + a) * M + m;
        for (let t = 0; t < T; t++) {
          const total = tp[t]!;
          const off = t * cap;
          recall[((t * K + k) * A + a) * M + m] = nd ? total / gts : 0;
          for (let c = total - 1; c > 0; c--) if (tpPrecision[off + c]! > tpPrecision[off + c - 1]!) tpPrecision[off + c - 1] = tpPrecision[off + c]!;
          let r = 0;
          for (; r < R; r++) {
            const thr = recThrs[r]!;
            let j: number;
            let value: number;
            if (nd === 0) break;
            if (!(thr > 0)) {
              // rc[0] >= thr: the first detection, and the envelope's overall maximum.
              j = 0;
              value = total ? tpPrecision[off]! : 0;
            } else {
              // The fewest true positives c with c / gts >= thr (recall as numpy divides it).
              let lo = 1;
              let hi = total + 1;
              while (lo < hi) {
                const mid = (lo + hi) >>> 1;
                if (mid / gts < thr) lo = mid + 1;
                else hi = mid;
              }
              // pycocotools stops at the first threshold past the highest recall reached.
              if (lo > total) break;
              j = tpAt[off + lo - 1]!;
              value = tpPrecision[off + lo - 1]!;
            }
            const at = (t * R + r) * stride + cell;
            precision[at] = value;
            scores[at] = sortedScore[sel[j]!]!;
          }
          for (; r < R; r++) {
            const at = (t * R + r) * stride + cell;
            precision[at] = 0;
            scores[at] = 0;
          }
        }
      }
    }
  }
  return { counts: [T, R, K, A, M], precision, recall, scores };
}
