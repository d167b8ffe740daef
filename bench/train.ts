/**
 * npm run bench:train — the BackBone (batch 7) trained side by side:
 *   1. stock tfjs on the 'cpu' backend (model.trainOnBatch, a few steps: it is slow),
 *   2. recordflow's fast path (selectBackend 'fast'), same model, seed and data,
 * printed as ms/step and their ratio; then "data-fed": steps/s when every batch comes from
 * the TFRecord pipeline (read → parse → shuffle → batch → collate → prefetch, one tensor
 * upload per field) against steps/s on pre-built tensors (target ≥ 95%), in alternating
 * short rounds so the shared machine's drift hits both paths alike.
 *
 * Options (env): STOCK_STEPS (default 3), FAST_STEPS (default 40), FAST_WARMUP (untimed fast
 * steps first, default 30: V8 keeps optimising tfjs's engine code and our kernels' JS over the
 * first ~20–40 steps, and a training run takes thousands), FED_STEPS (steps per data-fed
 * round, default 20), FED_ROUNDS (round pairs, default 24), PROFILE=1 prints the
 * fast step's kernel breakdown. The machine is shared: the load average is printed with
 * the numbers; compare runs at similar load.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTFRecord } from '../src/io/index.js';
import { Dataset } from '../src/pipeline/index.js';
import { collate, fromExample, toExample } from '../src/transforms/index.js';
import { profileStep, selectBackend } from '../src/train/backend/index.js';
import { createBackbone } from '../src/train/model.js';

const BATCH = 7;
const STOCK_STEPS = Number(process.env['STOCK_STEPS'] ?? 3);
const FAST_STEPS = Number(process.env['FAST_STEPS'] ?? 40);
const FAST_WARMUP = Number(process.env['FAST_WARMUP'] ?? 30);
const FED_STEPS = Number(process.env['FED_STEPS'] ?? 20);
const FED_ROUNDS = Number(process.env['FED_ROUNDS'] ?? 24);
const RECORDS = BATCH * 40;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Synthetic frames with one warm box each, as reference Example bytes. */
function examples(n: number): Uint8Array[] {
  const r = rng(42);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const image = new Uint8Array(768);
    for (let p = 0; p < 768; p++) image[p] = 20 + Math.floor(r() * 40);
    const x0 = Math.floor(r() * 24);
    const y0 = Math.floor(r() * 16);
    const box = [x0, y0, x0 + 4 + Math.floor(r() * 4), y0 + 4 + Math.floor(r() * 4)];
    for (let y = box[1]!; y < box[3]!; y++) for (let x = box[0]!; x < box[2]!; x++) image[y * 32 + x] = 180 + Math.floor(r() * 60);
    out.push(toExample({ image, box }));
  }
  return out;
}

/** byte / 255 for every byte value, as float32: the same values the division gives. */
const BYTE_SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** The reference parse step: image bytes / 255 as [24, 32, 1], label [x, y, w, h]. */
function parse(bytes: Uint8Array): { image: Float32Array; label: Float32Array } {
  const e = fromExample(bytes);
  const image = new Float32Array(768);
  for (let i = 0; i < 768; i++) image[i] = BYTE_SCALE[e.image[i]!]!;
  return { image, label: Float32Array.of(e.x, e.y, e.w, e.h) };
}

type Collated = ReturnType<typeof collate>;

function trainingPipeline(file: string): Dataset<Collated> {
  return Dataset.fromTFRecord(file)
    .map(parse)
    .shuffle(RECORDS, { seed: 7 })
    .batch(BATCH, { dropRemainder: true })
    .map((b) => collate(b))
    .prefetch(2);
}

function compiled(): { model: tf.LayersModel; optimizer: tf.Optimizer } {
  const model = createBackbone({ seed: 1 });
  const optimizer = tf.train.adam(5e-4);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return { model, optimizer };
}

async function step(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<number> {
  return (await model.trainOnBatch(x, y)) as number;
}

/** ms per step over `steps` trainOnBatch calls cycling through `batches` (after `warmup`). */
async function timeSteps(
  model: tf.LayersModel, batches: [tf.Tensor, tf.Tensor][], steps: number, warmup: number,
): Promise<{ ms: number; min: number; median: number; losses: number[] }> {
  // Warm-up losses are kept: the first steps of both paths start from the same weights.
  const losses: number[] = [];
  for (let i = 0; i < warmup; i++) losses.push(await step(model, ...batches[i % batches.length]!));
  const times: number[] = [];
  const start = performance.now();
  for (let i = warmup; i < warmup + steps; i++) {
    const t = performance.now();
    losses.push(await step(model, ...batches[i % batches.length]!));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: (performance.now() - start) / steps, min: times[0]!, median: times[times.length >> 1]!, losses };
}

/**
 * Steps/s fed by `pipeline` (every batch read, parsed, shuffled, batched, collated and
 * uploaded, one tensor per field) against steps/s on pre-built tensors, in FED_ROUNDS pairs
 * of FED_STEPS-step rounds.
 */
async function dataFedRatio(
  model: tf.LayersModel, prebuilt: [tf.Tensor, tf.Tensor][], pipeline: Dataset<Collated>,
): Promise<{ pipeline: number; prebuilt: number; ratios: number[]; median: number }> {
  const batches = pipeline[Symbol.asyncIterator]();
  let next = 0;
  const fedRound = async (steps: number): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < steps; i++) {
      const r = await batches.next();
      if (r.done) throw new Error('the repeated pipeline ended');
      const x = tf.tensor(r.value['image']!.data, r.value['image']!.shape);
      const y = tf.tensor(r.value['label']!.data, r.value['label']!.shape);
      await step(model, x, y);
      tf.dispose([x, y]);
    }
    return performance.now() - start;
  };
  const prebuiltRound = async (steps: number): Promise<number> => {
    const start = performance.now();
    for (let i = 0; i < steps; i++) await step(model, ...prebuilt[next++ % prebuilt.length]!);
    return performance.now() - start;
  };
  try {
    await fedRound(3); // warm-up: the first read and the JIT of the pipeline's stages
    const fedMs: number[] = [];
    const preMs: number[] = [];
    for (let pair = 0; pair < FED_ROUNDS; pair++) {
      // ABBA: alternate which path goes first so a steady drift does not favour one.
      if (pair % 2 === 0) {
        preMs.push(await prebuiltRound(FED_STEPS));
        fedMs.push(await fedRound(FED_STEPS));
      } else {
        fedMs.push(await fedRound(FED_STEPS));
        preMs.push(await prebuiltRound(FED_STEPS));
      }
    }
    const ratios = fedMs.map((f, k) => preMs[k]! / f);
    const sorted = [...ratios].sort((a, b) => a - b);
    const median = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    const total = (v: number[]): number => v.reduce((a, b) => a + b, 0);
    return { pipeline: (FED_ROUNDS * FED_STEPS * 1000) / total(fedMs), prebuilt: (FED_ROUNDS * FED_STEPS * 1000) / total(preMs), ratios, median };
  } finally {
    await batches.return?.();
  }
}

/** Mean, and min/median per step: on a shared machine the min is the closest to unloaded. */
function describe(t: { ms: number; min: number; median: number }): string {
  return `${t.ms.toFixed(1).padStart(8)} ms/step mean (min ${t.min.toFixed(1)}, median ${t.median.toFixed(1)})`;
}

function load(): string {
  return loadavg().map((v) => v.toFixed(2)).join(' ');
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rf-bench-train-'));
  try {
    const file = join(dir, 'train.tfr');
    const records = examples(RECORDS);
    await writeTFRecord(file, records);
    const parsed = records.map(parse);
    const prebuilt: Collated[] = [];
    for (let i = 0; i + BATCH <= parsed.length; i += BATCH) prebuilt.push(collate(parsed.slice(i, i + BATCH)));
    const tensors = (): [tf.Tensor, tf.Tensor][] =>
      prebuilt.map((b) => [tf.tensor(b['image']!.data, b['image']!.shape), tf.tensor(b['label']!.data, b['label']!.shape)]);

    console.log(`BackBone, batch ${BATCH}, Adam 5e-4, MSE; load average ${load()} (2 cores shared with other work)`);

    // 1. Stock tfjs, cpu backend.
    await selectBackend({ backend: 'cpu' });
    let run = compiled();
    let data = tensors();
    const stock = await timeSteps(run.model, data, STOCK_STEPS, 1);
    tf.dispose(data.flat());
    run.model.dispose();
    run.optimizer.dispose();
    console.log(`stock tfjs (cpu backend):          ${describe(stock)}  (${STOCK_STEPS} steps)`);

    // 2. The fast path, chosen through the same chain the CLI uses.
    const chosen = await selectBackend({ backend: process.env['BACKEND'] === 'auto' ? 'auto' : 'fast', log: (l) => console.log(`  ${l}`) });
    run = compiled();
    data = tensors();
    // The first STOCK_STEPS + 1 warm-up losses are compared with stock's below.
    const fast = await timeSteps(run.model, data, FAST_STEPS, Math.max(STOCK_STEPS + 1, FAST_WARMUP));
    console.log(`recordflow ${chosen.choice} (${chosen.name}): ${describe(fast)}  (${FAST_STEPS} steps after ${Math.max(STOCK_STEPS + 1, FAST_WARMUP)} warm-up)`);
    console.log(`speed-up: ${(stock.ms / fast.ms).toFixed(1)}x by mean, ${(stock.min / fast.min).toFixed(1)}x by min   (target ≤ 25 ms/step; load now ${load()})`);
    const n = stock.losses.length;
    const worst = Math.max(...stock.losses.map((l, i) => Math.abs(l - fast.losses[i]!) / Math.abs(l)));
    console.log(`same first ${n} losses? stock ${stock.losses.map((l) => l.toFixed(6)).join(' ')}`);
    console.log(`                        fast  ${fast.losses.slice(0, n).map((l) => l.toFixed(6)).join(' ')}  (max rel. diff ${worst.toExponential(1)})`);

    // 3. Data-fed: the TFRecord pipeline vs pre-built tensors. The machine's speed drifts by
    // tens of percent between rounds, so the two paths alternate in short rounds (ABBA order)
    // and each pipeline round is compared with its neighbouring pre-built rounds; the median of
    // those ratios is the figure. The pipeline stream stays open across rounds (repeat), so
    // every epoch's file read and shuffle-buffer fill is paid inside some round, as in training.
    const fed = await dataFedRatio(run.model, data, trainingPipeline(file).repeat());
    console.log(
      `data-fed: pipeline ${fed.pipeline.toFixed(1)} steps/s vs pre-built ${fed.prebuilt.toFixed(1)} steps/s; ` +
        `median of ${fed.ratios.length} paired rounds ${(100 * fed.median).toFixed(1)}% ` +
        `(range ${(100 * Math.min(...fed.ratios)).toFixed(0)}–${(100 * Math.max(...fed.ratios)).toFixed(0)}%, ` +
        `all rounds together ${(100 * fed.pipeline / fed.prebuilt).toFixed(1)}%; target ≥ 95%)`,
    );

    if (process.env['PROFILE'] === '1') {
      const p = await profileStep(() => run.model.trainOnBatch(...data[0]!));
      console.log(`profile of one fast step: ${p.totalMs.toFixed(1)} ms wall`);
      for (const k of p.kernels.slice(0, 15)) console.log(`  ${k.name.padEnd(30)} ${String(k.calls).padStart(4)} calls ${k.ms.toFixed(2).padStart(7)} ms`);
    }
    tf.dispose(data.flat());
    run.model.dispose();
    run.optimizer.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
