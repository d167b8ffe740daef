import * as tf from '@tensorflow/tfjs';

/** A learning-rate schedule: the rate to use for the optimizer step with this 0-based index. */
export type LearningRateSchedule = (step: number) => number;

/** Keras' ExponentialDecay: rate = initial · decayRate^(step / decaySteps). */
export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole intervals (Keras `staircase=True`) rather than continuously. */
  staircase?: boolean;
}

/**
 * Keras's ExponentialDecay: `initial * rate ^ (step / decaySteps)`, with the exponent floored
 * when `staircase` is set. The rate is computed in float64 and rounded to float32, the
 * precision Keras applies it at.
 *
 * @example
 * const schedule = exponentialDecay({ initialLearningRate: 5e-4, decaySteps: 5000, decayRate: 0.9, staircase: true });
 * schedule(10_000); // 5e-4 · 0.9²
 */
export function exponentialDecay(options: ExponentialDecayOptions): LearningRateSchedule {
  const { initialLearningRate, decaySteps, decayRate, staircase = false } = options;
  if (!(decaySteps > 0)) throw new RangeError(`decaySteps must be > 0, got ${decaySteps}`);
  return (step: number): number => {
    const p = step / decaySteps;
    return Math.fround(initialLearningRate * decayRate ** (staircase ? Math.floor(p) : p));
  };
}

/** The reference schedule: 5e-4, times 0.9 every 5000 steps (staircase). */
export function referenceSchedule(): LearningRateSchedule {
  return exponentialDecay({ initialLearningRate: 5e-4, decaySteps: 5000, decayRate: 0.9, staircase: true });
}

/**
 * The same rate at every step.
 * @example
 * const schedule = constantSchedule(1e-3);
 * schedule(5000); // 0.001
 */
export function constantSchedule(rate: number): LearningRateSchedule {
  return () => rate;
}

/**
 * Sets the optimizer's learning rate for the next step. tfjs optimizers keep it in a field
 * that the typings mark protected but every built-in optimizer reads on each applyGradients,
 * so writing it between steps is how a schedule is applied. Throws rather than silently doing
 * nothing when an optimizer keeps its rate elsewhere.
 */
export function setLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const holder = optimizer as unknown as { learningRate?: unknown };
  if (typeof holder.learningRate !== 'number') {
    throw new TypeError(`${optimizer.getClassName()} has no numeric learningRate field; cannot apply a schedule`);
  }
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`learning rate must be finite and >= 0, got ${rate}`);
  holder.learningRate = rate;
}

/** The learning rate the optimizer will use next (NaN when it keeps none readable). */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const rate = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  return typeof rate === 'number' ? rate : NaN;
}

/** Where an annealed rate ends, as a fraction of the initial rate. */
export const ANNEAL_FLOOR = 0.02;

/**
 * The learning rate per step of an annealed run: a cosine from `lr0` down to `floor` (default 2%)
 * of it over the run's `totalSteps`, then held there. It depends on the step alone, never on the clock, so the
 * same seed gives the same rates (and numbers) on a loaded machine or an idle one, and a resumed
 * run continues the curve.
 *
 * @example
 * const rate = annealSchedule(3e-3, 25_800);
 * const halfway = rate(12_900); // 3e-3 * 0.51
 */
export function annealSchedule(lr0: number, totalSteps: number, floor = ANNEAL_FLOOR): LearningRateSchedule {
  if (!(totalSteps > 0)) throw new RangeError(`totalSteps must be > 0, got ${totalSteps}`);
  if (!(floor >= 0 && floor <= 1)) throw new RangeError(`floor must be in [0, 1], got ${floor}`);
  return (step) => {
    const progress = Math.min(1, step / totalSteps);
    return Math.fround(lr0 * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress))));
  };
}
