// pycocotools' bbox Params: the defaults, built with the same floating-point steps as numpy, and
// the checks and normalisation evaluate() applies (sorted distinct ids, sorted maxDets).
import { InputError } from '../../core/errors.js';
import { sortIds } from './ids.js';
import type { CocoId, CocoParams, ResolvedCocoParams } from './types.js';

/**
 * `np.linspace(start, stop, num)` value for value: `i * ((stop - start) / (num - 1)) + start`,
 * with the last point set to `stop`, so the thresholds equal pycocotools' bit for bit (the 9th
 * default IoU threshold is 0.8999999999999999, not 0.9).
 * @example
 * const iouThrs = linspace(0.5, 0.95, 10); // [0.5, 0.55, ..., 0.8999999999999999, 0.95]
 */
export function linspace(start: number, stop: number, num: number): number[] {
  if (!Number.isSafeInteger(num) || num < 0) throw new RangeError(`linspace: num must be a non-negative integer, got ${num}`);
  const out = new Array<number>(num);
  const div = num - 1;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    // numpy divides before multiplying when the step underflows to zero.
    for (let i = 0; i < num; i++) out[i] = (step === 0 ? (i / div) * delta : i * step) + start;
    out[div] = stop;
  } else if (num === 1) {
    out[0] = 0 * delta + start;
  }
  return out;
}

/**
 * pycocotools' default bbox parameters (`Params(iouType='bbox')`), without image or category ids
 * (an evaluation takes those from its ground truth).
 * @example
 * const p = cocoDefaultParams();
 * p.maxDets; // [1, 10, 100]
 */
export function cocoDefaultParams(): Omit<ResolvedCocoParams, 'imgIds' | 'catIds'> {
  return {
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0 ** 2, 1e5 ** 2],
      [0 ** 2, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
    useCats: true,
  };
}

function numberList(value: unknown, name: string, check: (n: number) => boolean, what: string): number[] {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) throw new InputError(`params.${name} must be an array of ${what}`);
  const out = Array.from(value as ArrayLike<unknown>, (v, i) => {
    if (typeof v !== 'number' || !check(v)) throw new InputError(`params.${name}[${i}] must be ${what}, got ${JSON.stringify(v) ?? String(v)}`);
    return v;
  });
  return out;
}

/** Fills in defaults and applies evaluate()'s normalisation; throws InputError on bad params. */
export function resolveParams(params: CocoParams | undefined, gtImageIds: CocoId[], gtCategoryIds: CocoId[]): ResolvedCocoParams {
  const p = params ?? {};
  const d = cocoDefaultParams();
  const iouThrs = p.iouThrs === undefined ? d.iouThrs : numberList(p.iouThrs, 'iouThrs', Number.isFinite, 'finite numbers');
  const recThrs = p.recThrs === undefined ? d.recThrs : numberList(p.recThrs, 'recThrs', Number.isFinite, 'finite numbers');
  const maxDets = (p.maxDets === undefined ? d.maxDets : numberList(p.maxDets, 'maxDets', (n) => Number.isSafeInteger(n) && n >= 0, 'non-negative integers')).sort((a, b) => a - b);
  if (maxDets.length < 3) throw new InputError(`params.maxDets needs at least 3 entries (the summary reads maxDets[0..2]), got ${maxDets.length}`);
  let areaRng = d.areaRng;
  if (p.areaRng !== undefined) {
    if (!Array.isArray(p.areaRng)) throw new InputError('params.areaRng must be an array of [min, max] pairs');
    areaRng = p.areaRng.map((r: unknown, i) => {
      if (!Array.isArray(r) || r.length !== 2 || r.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
        throw new InputError(`params.areaRng[${i}] must be a [min, max] pair of numbers`);
      }
      return [r[0] as number, r[1] as number];
    });
  }
  let areaRngLbl = d.areaRngLbl;
  if (p.areaRngLbl !== undefined) {
    if (!Array.isArray(p.areaRngLbl) || p.areaRngLbl.some((l) => typeof l !== 'string')) throw new InputError('params.areaRngLbl must be an array of strings');
    areaRngLbl = [...p.areaRngLbl];
  }
  if (areaRngLbl.length !== areaRng.length) {
    throw new InputError(`params.areaRngLbl has ${areaRngLbl.length} labels for ${areaRng.length} area ranges`);
  }
  const useCatsRaw = p.useCats ?? true;
  if (useCatsRaw !== true && useCatsRaw !== false && useCatsRaw !== 0 && useCatsRaw !== 1) throw new InputError('params.useCats must be true, false, 1 or 0');
  const useCats = useCatsRaw === true || useCatsRaw === 1;
  const imgIds = p.imgIds === undefined ? gtImageIds : sortIds(idList(p.imgIds, 'imgIds'), 'params.imgIds');
  let catIds: CocoId[];
  if (p.catIds === undefined) catIds = gtCategoryIds;
  else if (useCats) catIds = sortIds(idList(p.catIds, 'catIds'), 'params.catIds');
  else {
    // Pooled categories keep the caller's order (it decides ties); a repeat would count twice.
    catIds = idList(p.catIds, 'catIds');
    if (new Set(catIds).size !== catIds.length) throw new InputError('params.catIds repeats a category (with useCats off pycocotools would count its objects twice)');
  }
  return { iouThrs, recThrs, maxDets, areaRng, areaRngLbl, useCats, imgIds, catIds };
}

function idList(value: unknown, name: string): CocoId[] {
  if (!Array.isArray(value)) throw new InputError(`params.${name} must be an array of ids`);
  return value.map((v: unknown, i) => {
    if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string') return v;
    throw new InputError(`params.${name}[${i}] must be a number or a string, got ${JSON.stringify(v) ?? String(v)}`);
  });
}
