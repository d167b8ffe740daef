// pycocotools' summarize for boxes: the 12 means over the precision/recall cells that are not
// -1, selected by IoU threshold, area label and maxDets exactly as its _summarize selects them,
// and the lines it prints.
import { InputError } from '../../core/errors.js';
import type { Accumulated } from './accumulate.js';
import type { CocoStats, ResolvedCocoParams } from './types.js';

/** The 12 stats in pycocotools' order: [ap, iouThr, area label, maxDets index or a value]. */
const SPECS: readonly [ap: boolean, iouThr: number | undefined, area: string, maxDets: number | 'default'][] = [
  [true, undefined, 'all', 'default'],
  [true, 0.5, 'all', 2],
  [true, 0.75, 'all', 2],
  [true, undefined, 'small', 2],
  [true, undefined, 'medium', 2],
  [true, undefined, 'large', 2],
  [false, undefined, 'all', 0],
  [false, undefined, 'all', 1],
  [false, undefined, 'all', 2],
  [false, undefined, 'small', 2],
  [false, undefined, 'medium', 2],
  [false, undefined, 'large', 2],
];

/** The names of the 12 stats, in order. */
export const COCO_STAT_NAMES: readonly (keyof CocoStats)[] = ['AP', 'AP50', 'AP75', 'APsmall', 'APmedium', 'APlarge', 'AR1', 'AR10', 'AR100', 'ARsmall', 'ARmedium', 'ARlarge'];

function indicesOf<T>(list: readonly T[], value: T): number[] {
  const out: number[] = [];
  list.forEach((v, i) => {
    if (v === value) out.push(i);
  });
  return out;
}

/** numpy broadcasts the area and maxDets index lists together (pairs, not a product). */
function pairs(aind: number[], mind: number[]): [number, number][] {
  if (aind.length === mind.length) return aind.map((a, i) => [a, mind[i]!]);
  if (aind.length === 1) return mind.map((m) => [aind[0]!, m]);
  if (mind.length === 1) return aind.map((a) => [a, mind[0]!]);
  throw new InputError(`the summary cannot pair ${aind.length} area ranges with ${mind.length} maxDets entries (repeated labels or maxDets)`);
}

interface Selection {
  ap: boolean;
  iouThr: number | undefined;
  area: string;
  maxDets: number;
}

function mean(acc: Accumulated, p: ResolvedCocoParams, sel: Selection): number {
  const [, R, K, A, M] = acc.counts;
  const ts = sel.iouThr === undefined ? p.iouThrs.map((_, t) => t) : indicesOf(p.iouThrs, sel.iouThr);
  const am = pairs(indicesOf(p.areaRngLbl, sel.area), indicesOf(p.maxDets, sel.maxDets));
  let sum = 0;
  let n = 0;
  const add = (v: number) => {
    if (v > -1) {
      sum += v;
      n++;
    }
  };
  for (const t of ts) {
    for (const [a, m] of am) {
      for (let k = 0; k < K; k++) {
        if (sel.ap) for (let r = 0; r < R; r++) add(acc.precision[(((t * R + r) * K + k) * A + a) * M + m]!);
        else add(acc.recall[((t * K + k) * A + a) * M + m]!);
      }
    }
  }
  return n === 0 ? -1 : sum / n;
}

function selections(maxDets: readonly number[]): Selection[] {
  return SPECS.map(([ap, iouThr, area, m]) => ({ ap, iouThr, area, maxDets: m === 'default' ? 100 : maxDets[m]! }));
}

/** The 12 summary numbers. */
export function summarize(acc: Accumulated, p: ResolvedCocoParams): number[] {
  return selections(p.maxDets).map((sel) => mean(acc, p, sel));
}

/** Python's '{:0.Nf}': toFixed, except that exact halves go to the even digit. */
function fixed(x: number, digits: number): string {
  // Only odd multiples of 2^-(digits+1) lie exactly halfway between two N-decimal values.
  const scaled = x * 2 ** (digits + 1);
  if (Number.isInteger(scaled) && scaled % 2 !== 0) {
    const n = Math.floor(x * 10 ** digits);
    return ((n % 2 === 0 ? n : n + 1) / 10 ** digits).toFixed(digits);
  }
  return x.toFixed(digits);
}

/**
 * pycocotools' summary lines for `stats` (as summarize() prints them), e.g.
 * ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.123`.
 * @example
 * const gt = { images: [{ id: 1 }], annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 }], categories: [{ id: 1 }] };
 * const result = cocoEvaluate(gt, [{ image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], score: 0.9 }]);
 * console.log(cocoSummaryLines(result.stats, result.params).join('\n'));
 */
export function cocoSummaryLines(stats: readonly number[], params: Pick<ResolvedCocoParams, 'iouThrs' | 'maxDets'>): string[] {
  const thr = params.iouThrs;
  return selections(params.maxDets).map((sel, i) => {
    const title = (sel.ap ? 'Average Precision' : 'Average Recall').padEnd(18);
    const type = sel.ap ? '(AP)' : '(AR)';
    const iou = (sel.iouThr === undefined ? `${fixed(thr[0]!, 2)}:${fixed(thr[thr.length - 1]!, 2)}` : fixed(sel.iouThr, 2)).padEnd(9);
    const value = stats[i]!;
    return ` ${title} ${type} @[ IoU=${iou} | area=${sel.area.padStart(6)} | maxDets=${String(sel.maxDets).padStart(3)} ] = ${fixed(value, 3)}`;
  });
}
