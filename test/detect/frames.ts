// Small synthetic detection frames for the detectors' tests.
import { synthesizeThermal } from '../../src/synth/index.js';
import { detectionBoxes, detectionFromSets, bytesToUnitFloat, type DetectionSample } from '../../src/transforms/index.js';

/** The first `n` frames of a small synthetic detection set (seed 2, scale 0.03). */
export function frames(n: number): DetectionSample[] {
  const det = detectionFromSets(synthesizeThermal({ seed: 2, scale: 0.03 }));
  const images = det.images.data as Uint8Array;
  return Array.from({ length: n }, (_, i) => {
    const boxes = detectionBoxes(det, i).slice();
    return { image: bytesToUnitFloat(images.subarray(i * 768, (i + 1) * 768)), boxes, count: boxes.length / 4 };
  });
}
