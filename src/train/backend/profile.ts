// Per-kernel timing of one training step, for benches and for finding the next kernel to replace.
import * as tf from '@tensorflow/tfjs';

/** One kernel's share of a profiled step: how often it ran and its summed time. */
export interface KernelProfileRow {
  name: string;
  calls: number;
  ms: number;
}

/**
 * Runs `step` under tf.profile and sums kernel time by kernel name (slowest first), so a
 * bench or a developer can see where a training step goes. Kernel times on wasm/cpu are
 * wall-clock times of synchronous kernels.
 */
export async function profileStep(step: () => unknown): Promise<{ totalMs: number; kernels: KernelProfileRow[] }> {
  const start = performance.now();
  const info = await tf.profile(() => {
    step();
  });
  const totalMs = performance.now() - start;
  const byName = new Map<string, KernelProfileRow>();
  for (const k of info.kernels) {
    const row = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
    row.calls += 1;
    row.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    byName.set(k.name, row);
  }
  return { totalMs, kernels: [...byName.values()].sort((a, b) => b.ms - a.ms) };
}
