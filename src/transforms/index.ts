// Public names of the transforms room: pure per-element functions of the reference workflow.
// Each plugs into pipeline's map/filter; whole-array helpers serve step 0 and the CLI.
export {
  FRAME_WIDTH,
  FRAME_HEIGHT,
  FRAME_BYTES,
  IMAGE_SHAPE,
  MAX_PERSONS,
  REFERENCE_ORDER,
  REFERENCE_KEYS,
  referenceFileName,
  type ReferenceSetName,
  type ReferenceKey,
} from './reference-schema.js';
export { concatSets, type ConcatOptions } from './concat-sets.js';
export { filterCount, personCount, rowsWithCount, type ReferenceRow } from './filter-count.js';
export { polygonToBox, polygonBox, type BoxSample } from './polygon-to-box.js';
export { normalize, boxToXywh, bytesToUnitFloat, type Xywh, type NormalizedSample } from './normalize.js';
export { decodeRaw, type RawDtype } from './decode-raw.js';
export { splitTrainVal, trainCountOf, type SplitOptions, type Split } from './split-train-val.js';
export { collate, type CollatedField, type CollateElement } from './collate.js';
export { createRng, randomPermutation, seedTo32, type Rng } from '../core/random.js';
export { toExample, fromExample, type ExampleInput, type LocalizationRecord } from './example-schema.js';
export { localizationFromSets, checkReferenceSet, type LocalizationSet } from './localization-arrays.js';
export { parseLocalization, LOCALIZATION_SPEC, type LocalizationSample } from './parse-localization.js';
export { buildLocalizationSet } from './localization-set.js';
export { readReferenceSets } from './reference-sets.js';
export { detectionFromSets, detectionBoxes, buildDetectionSet, type DetectionSet } from './detection-arrays.js';
export { toDetectionExample, parseDetection, DETECTION_SPEC, type DetectionRecord, type DetectionSample } from './detection-example.js';
