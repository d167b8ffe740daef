// pycocotools' _prepare and the detection side of loadRes, over typed arrays: every entry is
// checked, then ground truth and detections are grouped per (category, image) "bucket" in the
// order pycocotools builds its lists, detections sorted by score (stable) and cut to the largest
// maxDets. Buckets run category-major, so one category's detections are one contiguous range.
import { checkAnnotation, checkDetection, checkGroundTruthShape, checkResultsShape, entryError } from './input.js';
import { isId, sortIds } from './ids.js';
import { resolveParams } from './params.js';
import { orderByKey, orderByScoreDesc } from './sort.js';
import type { CocoDataset, CocoDetection, CocoId, CocoParams, CocoSources, ResolvedCocoParams } from './types.js';
import { InputError } from '../../core/errors.js';

export interface Prepared {
  params: ResolvedCocoParams;
  /** Images evaluated (I) and categories on the K axis (1 without useCats). */
  I: number;
  K: number;
  /** Ground truth of bucket b = k * I + i is gt[gtStart[b] .. gtStart[b + 1]). */
  gtStart: Int32Array;
  gtBox: Float64Array;
  gtArea: Float64Array;
  gtCrowd: Uint8Array;
  /** pycocotools stores the matched annotation's id and tests it for truth: id 0 never counts. */
  gtIdTruthy: Uint8Array;
  /** Detections of each bucket before the cut (a bucket with neither is left out). */
  dtCount: Int32Array;
  /** Kept detections of bucket b, highest score first: dt[dtStart[b] .. dtStart[b + 1]). */
  dtStart: Int32Array;
  /** The results list, and the entry each kept detection is (its box is read from there). */
  detections: readonly CocoDetection[];
  dtEntry: Int32Array;
  /** Position within its bucket (for the smaller maxDets cuts). */
  dtRank: Int32Array;
  /** Where each kept detection lands when its category's detections are merged over images
   * and sorted by score (stable): accumulate() walks them in that order. */
  sortedPos: Int32Array;
  /** Score and bucket rank of the detection at each sorted position. */
  sortedScore: Float64Array;
  sortedRank: Int32Array;
}

/** Checks both inputs, resolves the params and groups everything per bucket. */
export function prepare(groundTruth: CocoDataset, detections: readonly CocoDetection[], params: CocoParams | undefined, sources: CocoSources = {}): Prepared {
  const gtSource = sources.groundTruth;
  const dtSource = sources.detections;
  checkGroundTruthShape(groundTruth, gtSource);
  checkResultsShape(detections, dtSource);
  const gtImages = new Set<CocoId>();
  groundTruth.images.forEach((img, i) => {
    const id = (img as { id?: unknown } | null)?.id;
    if (!isId(id)) throw entryError(gtSource, 'ground truth', `images[${i}]`, 'id must be a number or a string');
    gtImages.add(id);
  });
  const gtCats = groundTruth.categories.map((cat, i) => {
    const id = (cat as { id?: unknown } | null)?.id;
    if (!isId(id)) throw entryError(gtSource, 'ground truth', `categories[${i}]`, 'id must be a number or a string');
    return id;
  });
  const label = gtSource === undefined ? 'ground truth ' : '';
  const p = resolveParams(params, sortIds(gtImages, `${label}image ids`), sortIds(gtCats, `${label}category ids`));
  const anns = groundTruth.annotations;
  const annIds = new Set<CocoId>();
  anns.forEach((ann, j) => {
    checkAnnotation(ann, j, gtSource);
    if (annIds.has(ann.id)) throw entryError(gtSource, 'ground truth', `annotations[${j}]`, `id ${JSON.stringify(ann.id)} repeats an earlier annotation's`);
    annIds.add(ann.id);
  });
  if (p.imgIds.length * Math.max(1, p.catIds.length) > 2 ** 28) throw new InputError(`too many image x category cells (${p.imgIds.length} x ${p.catIds.length})`);

  const I = p.imgIds.length;
  const K = p.useCats ? p.catIds.length : 1;
  const C = p.catIds.length;
  const imgIndex = new Map<CocoId, number>(p.imgIds.map((id, i) => [id, i]));
  const catIndex = new Map<CocoId, number>(p.catIds.map((id, k) => [id, k]));
  const buckets = K * I;
  // Composite key: bucket, then (pooled categories only) the category's place in catIds,
  // which is the order pycocotools concatenates pooled lists in.
  const composite = (img: number, cat: number) => (p.useCats ? cat * I + img : img * C + cat);
  const compositeCount = p.useCats ? buckets : I * C;
  const bucketOfComposite = (c: number) => (p.useCats ? c : Math.floor(c / C));

  // Ground truth, grouped stably (file order within a bucket).
  const gtKeys = new Int32Array(anns.length);
  let gtSel = 0;
  const gtPick = new Int32Array(anns.length);
  for (let j = 0; j < anns.length; j++) {
    const a = anns[j]!;
    const i = imgIndex.get(a.image_id);
    const k = catIndex.get(a.category_id);
    if (i === undefined || k === undefined) continue;
    gtKeys[j] = composite(i, k);
    gtPick[gtSel++] = j;
  }
  const gtGroups = orderByKey(gtKeys, gtPick.subarray(0, gtSel), compositeCount);
  const gtStart = new Int32Array(buckets + 1);
  for (let c = 0; c < compositeCount; c++) gtStart[bucketOfComposite(c) + 1]! += gtGroups.starts[c + 1]! - gtGroups.starts[c]!;
  for (let b = 0; b < buckets; b++) gtStart[b + 1]! += gtStart[b]!;
  const nGt = gtSel;
  const gtBox = new Float64Array(4 * nGt);
  const gtArea = new Float64Array(nGt);
  const gtCrowd = new Uint8Array(nGt);
  const gtIdTruthy = new Uint8Array(nGt);
  for (let g = 0; g < nGt; g++) {
    const a = anns[gtGroups.order[g]!]!;
    for (let q = 0; q < 4; q++) gtBox[4 * g + q] = a.bbox[q]!;
    gtArea[g] = a.area;
    gtCrowd[g] = a.iscrowd === 1 || a.iscrowd === true ? 1 : 0;
    gtIdTruthy[g] = a.id === 0 || a.id === '' ? 0 : 1;
  }

  // Detections: ordered by score (stable) over a list sorted by bucket (category, image), then
  // (pooled categories) category, then file order. Grouping that by bucket gives each bucket's
  // list highest score first with ties in pycocotools' list order; grouping it by category
  // gives the merged order accumulate() needs (score, then image, then place in the image's
  // list).
  const n0 = detections.length;
  const dtBucket = new Int32Array(n0);
  const dtCat = new Int32Array(n0);
  const scores = new Float64Array(n0);
  let dtSel = 0;
  let dtPick: Int32Array = new Int32Array(n0);
  let lastImage: unknown = undefined;
  let lastI: number | undefined;
  let lastCat: unknown = undefined;
  let lastK: number | undefined;
  for (let j = 0; j < n0; j++) {
    const d = detections[j];
    checkDetection(d, j, dtSource);
    // Consecutive detections mostly share an image and category: skip the lookups then.
    if (d.image_id !== lastImage) {
      // loadRes refuses results on images the ground truth does not have.
      if (!gtImages.has(d.image_id)) throw entryError(dtSource, 'detections', `entry ${j}`, `image_id ${JSON.stringify(d.image_id)} is not an image of the ground truth`);
      lastImage = d.image_id;
      lastI = imgIndex.get(d.image_id);
    }
    if (d.category_id !== lastCat) {
      lastCat = d.category_id;
      lastK = catIndex.get(d.category_id);
    }
    if (lastI === undefined || lastK === undefined) continue;
    dtBucket[j] = p.useCats ? lastK * I + lastI : lastI;
    dtCat[j] = lastK;
    scores[j] = d.score;
    dtPick[dtSel++] = j;
  }
  dtPick = dtPick.subarray(0, dtSel);
  if (!p.useCats && C > 1) dtPick = orderByKey(dtCat, dtPick, C).order;
  const byScore = orderByScoreDesc(scores, orderByKey(dtBucket, dtPick, buckets).order);
  const byBucket = orderByKey(dtBucket, byScore, buckets);
  const maxDet = p.maxDets[p.maxDets.length - 1]!;
  const dtCount = new Int32Array(buckets);
  const dtStart = new Int32Array(buckets + 1);
  for (let b = 0; b < buckets; b++) {
    dtCount[b] = byBucket.starts[b + 1]! - byBucket.starts[b]!;
    dtStart[b + 1] = dtStart[b]! + Math.min(dtCount[b]!, maxDet);
  }
  const nDt = dtStart[buckets]!;
  const dtEntry = new Int32Array(nDt);
  const dtRank = new Int32Array(nDt);
  /** Kept index of each entry, -1 past the cut. */
  const keptAs = new Int32Array(n0).fill(-1);
  for (let b = 0; b < buckets; b++) {
    const from = byBucket.starts[b]!;
    const at = dtStart[b]!;
    const kept = dtStart[b + 1]! - at;
    for (let r = 0; r < kept; r++) {
      const j = byBucket.order[from + r]!;
      const n = at + r;
      dtEntry[n] = j;
      dtRank[n] = r;
      keptAs[j] = n;
    }
  }
  // Buckets run category-major, so category k's sorted positions start where its buckets do.
  const sortedPos = new Int32Array(nDt);
  const sortedScore = new Float64Array(nDt);
  const sortedRank = new Int32Array(nDt);
  const fill = new Int32Array(K);
  for (let k = 0; k < K; k++) fill[k] = dtStart[k * I]!;
  for (let q = 0; q < byScore.length; q++) {
    const j = byScore[q]!;
    const n = keptAs[j]!;
    if (n < 0) continue;
    const at = fill[p.useCats ? dtCat[j]! : 0]!++;
    sortedPos[n] = at;
    sortedScore[at] = scores[j]!;
    sortedRank[at] = dtRank[n]!;
  }
  return { params: p, I, K, gtStart, gtBox, gtArea, gtCrowd, gtIdTruthy, dtCount, dtStart, detections, dtEntry, dtRank, sortedPos, sortedScore, sortedRank };
}
