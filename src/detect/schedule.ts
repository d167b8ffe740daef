// The detectors' learning-rate schedule: a function of the step alone.
import type { LearningRateSchedule } from '../train/schedule.js';

/**
 * Linear warmup from peak / 10 over the first `warmupSteps` (default 3% of the run, at least 1),
 * then a cosine from `peak` down to `peak * floor` (default 1%) at `totalSteps`. Past the end
 * it stays at the floor.
 *
 * @example
 * const lr = warmupCosine(2e-3, 1000);
 * console.log(lr(0), lr(30), lr(1000)); // 2e-4, 2e-3, 2e-5 (as float32)
 */
export function warmupCosine(peak: number, totalSteps: number, options: { warmupSteps?: number; floor?: number } = {}): LearningRateSchedule {
  const warmup = Math.max(1, options.warmupSteps ?? Math.round(totalSteps * 0.03));
  const floor = options.floor ?? 0.01;
  return (step) => {
    if (step < warmup) return Math.fround(peak * (0.1 + (0.9 * step) / warmup));
    const progress = Math.min(1, (step - warmup) / Math.max(1, totalSteps - warmup));
    return Math.fround(peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress))));
  };
}
