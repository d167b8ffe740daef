// Stochastic weight averaging over the epochs of the annealed tail: a running mean of the
// trainable weights, taken after each chosen epoch, that can be written back into the model.
// With a short, annealed run the late epochs hover around a minimum; their mean usually sits
// nearer its centre than any single one (Izmailov et al. 2018, "Averaging Weights Leads to Wider
// Optima"). BatchNorm statistics must be recomputed after writing the mean (precise BN does it).
import type * as tfTypes from '@tensorflow/tfjs';

type LayerVariable = tfTypes.LayersModel['trainableWeights'][number];

export class WeightAverage {
  private sums: Float64Array[] | undefined;
  readonly epochs: number[] = [];

  get count(): number {
    return this.epochs.length;
  }

  /** Adds the model's current trainable weights to the mean. */
  add(model: tfTypes.LayersModel, epoch: number): void {
    const weights = model.trainableWeights;
    this.sums ??= weights.map((w: LayerVariable) => new Float64Array(w.read().size));
    weights.forEach((w: LayerVariable, i: number) => {
      const values = w.read().dataSync();
      const sum = this.sums![i]!;
      for (let k = 0; k < sum.length; k++) sum[k]! += values[k]!;
    });
    this.epochs.push(epoch);
  }

  /** Writes the mean into the model's trainable weights. */
  async apply(model: tfTypes.LayersModel): Promise<void> {
    if (!this.sums || this.count === 0) return;
    const tf = await import('@tensorflow/tfjs');
    model.trainableWeights.forEach((w: LayerVariable, i: number) => {
      const sum = this.sums![i]!;
      const mean = new Float32Array(sum.length);
      for (let k = 0; k < sum.length; k++) mean[k] = sum[k]! / this.count;
      const t = tf.tensor(mean, w.shape as number[]);
      w.write(t);
      t.dispose();
    });
  }
}
