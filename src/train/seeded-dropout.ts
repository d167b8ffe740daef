import * as tf from '@tensorflow/tfjs';
import { seededDropout } from './backend/kernels/seeded-dropout.js';

/** Arguments of the SeededDropout layer: the rate, the base seed and an optional name. */
export interface SeededDropoutArgs {
  rate: number;
  seed: number;
  name?: string;
}

/**
 * Dropout whose masks are reproducible yet different at every training call.
 *
 * tfjs's own Dropout takes a `seed`, but passes that same seed to every call, so a seeded
 * Dropout drops the same units at every step (and an unseeded one draws from Math.random,
 * which is not reproducible). This layer derives each call's seed from its base seed and a
 * call counter. The counter is part of the training state: the trainer saves it in
 * checkpoints and restores it on resume so a resumed run draws the same masks.
 *
 * The mask is a hash of (call seed, element index) (dropout-mask.ts), not tf.dropout's
 * generator: the same on every backend, one SIMD kernel on the fast backend, and the
 * backward pass recomputes it instead of storing it.
 */
export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  /** Probability of dropping a unit; the precise-BN pass sets it to 0 temporarily. */
  rate: number;
  readonly seed: number;
  /** Number of training-mode calls so far; each call's mask seed derives from it. */
  calls = 0;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const training = kwargs['training'] === true;
    // Identity at inference (as tfjs's Dropout): the input tensor itself, no copy.
    if (!training || this.rate <= 0) return input;
    const seed = mixSeed(this.seed, this.calls);
    this.calls += 1;
    return seededDropout(input, this.rate, seed);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as never);
  }
}
tf.serialization.registerClass(SeededDropout);

/** A 32-bit mix of (seed, counter) so neighbouring calls get unrelated seeds. */
export function mixSeed(seed: number, counter: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(counter | 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Dropout call counters by layer name (for checkpoints). */
export function dropoutCounters(model: tf.LayersModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const layer of model.layers) if (layer instanceof SeededDropout) out[layer.name] = layer.calls;
  return out;
}

export function restoreDropoutCounters(model: tf.LayersModel, counters: Record<string, number>): void {
  for (const layer of model.layers) {
    if (layer instanceof SeededDropout && counters[layer.name] !== undefined) layer.calls = counters[layer.name]!;
  }
}
