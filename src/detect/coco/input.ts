// Reading COCO ground truth and results: JSON text, top-level shape, and the per-entry checks
// (ids, finite non-negative boxes, scores). Every refusal is an InputError naming the source
// (when the caller gives one) and the entry.
import { InputError } from '../../core/errors.js';
import { isId } from './ids.js';
import type { CocoDataset, CocoDetection } from './types.js';

/** An InputError for `where` (e.g. `annotations[3]`) in `source`, or in `fallback` (e.g.
 * `ground truth`) when the caller named no source. */
export function entryError(source: string | undefined, fallback: string, where: string, problem: string): InputError {
  return source === undefined ? new InputError(`${fallback}: ${where}: ${problem}`) : new InputError(`${where}: ${problem}`, source);
}

function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  const json = JSON.stringify(v);
  return json === undefined ? String(v) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** Why `bbox` is not a usable [x, y, w, h] box, or undefined when it is. */
export function boxProblem(bbox: unknown): string | undefined {
  if (!Array.isArray(bbox) || bbox.length !== 4) return `bbox must be [x, y, width, height], got ${show(bbox)}`;
  for (let i = 0; i < 4; i++) {
    const v: unknown = bbox[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `bbox has a non-finite value (${show(bbox)})`;
  }
  if ((bbox[2] as number) < 0 || (bbox[3] as number) < 0) return `bbox has a negative width or height (${show(bbox)})`;
  return undefined;
}

/** Why an entry's `field` is not an id, or undefined. */
export function idProblem(entry: Record<string, unknown>, field: string): string | undefined {
  const v = entry[field];
  return isId(v) ? undefined : v === undefined ? `no ${field}` : `${field} must be a number or a string, got ${show(v)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the top level of a ground truth: an object with `images`, `annotations` and
 * `categories` arrays. */
export function checkGroundTruthShape(value: unknown, source?: string): asserts value is CocoDataset {
  const name = source === undefined ? 'ground truth: ' : '';
  if (!isRecord(value)) throw new InputError(`${name}a COCO dataset must be a JSON object with images, annotations and categories`, source);
  for (const key of ['images', 'annotations', 'categories']) {
    if (value[key] === undefined) throw new InputError(`${name}not a COCO dataset: no "${key}" array`, source);
    if (!Array.isArray(value[key])) throw new InputError(`${name}"${key}" must be an array`, source);
  }
}

/** Checks that results are an array (pycocotools' loadRes asserts the same). */
export function checkResultsShape(value: unknown, source?: string): asserts value is CocoDetection[] {
  if (!Array.isArray(value)) {
    throw new InputError(`${source === undefined ? 'detections: ' : ''}COCO results must be a JSON array of {image_id, category_id, bbox, score}, got ${value === null ? 'null' : typeof value}`, source);
  }
}

/** Checks one ground-truth annotation; `index` is its position in `annotations`. */
export function checkAnnotation(ann: unknown, index: number, source: string | undefined): void {
  const fail = (problem: string) => entryError(source, 'ground truth', `annotations[${index}]`, problem);
  if (!isRecord(ann)) throw fail('must be an object');
  const problem = idProblem(ann, 'id') ?? idProblem(ann, 'image_id') ?? idProblem(ann, 'category_id') ?? boxProblem(ann['bbox']);
  if (problem !== undefined) throw fail(problem);
  const area = ann['area'];
  if (typeof area !== 'number' || !Number.isFinite(area) || area < 0) throw fail(area === undefined ? 'no area' : `area must be a finite non-negative number, got ${show(area)}`);
  const crowd = ann['iscrowd'];
  if (crowd !== undefined && crowd !== 0 && crowd !== 1 && crowd !== true && crowd !== false) throw fail(`iscrowd must be 0 or 1, got ${show(crowd)}`);
}

/** Checks one detection; `index` is its position in the results list. */
export function checkDetection(det: unknown, index: number, source: string | undefined): asserts det is CocoDetection {
  // Called once per detection (millions): no closure, no allocation unless it fails.
  if (!isRecord(det)) throw entryError(source, 'detections', `entry ${index}`, 'must be an object');
  const score = det['score'];
  const problem =
    idProblem(det, 'image_id') ??
    idProblem(det, 'category_id') ??
    boxProblem(det['bbox']) ??
    (typeof score !== 'number' || !Number.isFinite(score) ? (score === undefined ? 'no score' : `score must be a finite number, got ${show(score)}`) : undefined);
  if (problem !== undefined) throw entryError(source, 'detections', `entry ${index}`, problem);
}

function parseJson(text: string, source: string | undefined, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InputError(`${source === undefined ? `${what}: ` : ''}not valid JSON (${why})`, source, { cause: err });
  }
}

/**
 * Parses a COCO ground-truth file's text and checks its top level (the entries are checked by
 * cocoEvaluate); errors name `source`.
 * @example
 * const gt = cocoGroundTruthFromJson('{"images":[{"id":1}],"annotations":[],"categories":[{"id":1}]}', 'gt.json');
 */
export function cocoGroundTruthFromJson(text: string, source?: string): CocoDataset {
  const value = parseJson(text, source, 'ground truth');
  checkGroundTruthShape(value, source);
  return value;
}

/**
 * Parses a COCO results file's text and checks that it is an array (the entries are checked by
 * cocoEvaluate); errors name `source`.
 * @example
 * const dets = cocoResultsFromJson('[{"image_id":1,"category_id":1,"bbox":[0,0,4,4],"score":0.9}]', 'dets.json');
 */
export function cocoResultsFromJson(text: string, source?: string): CocoDetection[] {
  const value = parseJson(text, source, 'detections');
  checkResultsShape(value, source);
  return value;
}
