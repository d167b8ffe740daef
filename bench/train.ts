/**
 * npm run bench:train — the BackBone (batch 7) trained side by side:
 *   1. stock tfjs `model.fit` on the 'cpu' backend (a few steps: it is slow),
 *   2. the same `model.fit` on recordflow's fast path (selectBackend 'fast'), same model, seed
 *      and data,
 * printed as ms/step and their ratio; then "data-fed": steps/s when every batch comes from
 * the TFRecord pipeline (read → parse → shuffle → batch → collate → prefetch, one tensor
 * upload per field) against steps/s on pre-built tensors (target ≥ 95%), in alternating
 * short rounds so the shared machine's drift hits both paths alike — once with trainOnBatch
 * steps, once through recordflow's own `train()` (pipeline vs batches in memory).
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
import { train } from '../src/train/trainer.js';

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

/**
 * A turn of the event loop, as model.fit and recordflow's train() take between steps: without
 * one, a loop of trainOnBatch calls runs on resolved promises only, so a prefetching pipeline's
 * file reads complete only when the loop waits on an empty buffer.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * ms per step of `model.fit` over `warmup + steps` of `batches` (one epoch, batch size 7, no
 * shuffling, so each fit batch is one of `batches` in order), timed per batch through fit's
 * callbacks; the first `warmup` batches are left out of the times, their losses kept.
 */
async function timeFit(
  model: tf.LayersModel, batches: [tf.Tensor, tf.Tensor][], steps: number, warmup: number,
): Promise<{ ms: number; min: number; median: number; losses: number[] }> {
  const used = Array.from({ length: warmup + steps }, (_, i) => batches[i % batches.length]!);
  const x = tf.concat(used.map((b) => b[0]));
  const y = tf.concat(used.map((b) => b[1]));
  const losses: number[] = [];
  const times: number[] = [];
  let began = 0;
  try {
    await model.fit(x, y, {
      batchSize: BATCH,
      epochs: 1,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onBatchBegin: async () => {
          began = performance.now();
        },
        onBatchEnd: async (_batch, logs) => {
          times.push(performance.now() - began);
          losses.push(Number(logs?.['loss']));
        },
      },
    });
  } finally {
    tf.dispose([x, y]);
  }
  const timed = times.slice(warmup);
  const total = timed.reduce((a, b) => a + b, 0);
  timed.sort((a, b) => a - b);
  return { ms: total / steps, min: timed[0]!, median: timed[timed.length >> 1]!, losses };
}

interface FedStats {
  pipeline: number;
  prebuilt: number;
  ratios: number[];
  median: number;
}

/**
 * Steps/s of `fedRound` against `prebuiltRound` (each runs the given number of steps and
 * returns its ms), in FED_ROUNDS pairs of FED_STEPS-step rounds, ABBA order.
 */
async function pairedRounds(
  fedRound: (steps: number) => Promise<number>, prebuiltRound: (steps: number) => Promise<number>,
): Promise<FedStats> {
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
  const sorted = [...ratios].sort((x, y) => x - y);
  const median = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
  const total = (v: number[]): number => v.reduce((x, y) => x + y, 0);
  return { pipeline: (FED_ROUNDS * FED_STEPS * 1000) / total(fedMs), prebuilt: (FED_ROUNDS * FED_STEPS * 1000) / total(preMs), ratios, median };
}

/**
 * trainOnBatch fed by `pipeline` (every batch read, parsed, shuffled, batched, collated and
 * uploaded, one tensor per field) against trainOnBatch on pre-built tensors; both loops take a
 * turn of the event loop after each step.
 */
async function dataFedRatio(model: tf.LayersModel, prebuilt: [tf.Tensor, tf.Tensor][], pipeline: Dataset<Collated>): Promise<FedStats> {
  const batches = pipeline[Symbol.asyncIterator]();
  let next = 0;
  try {
    return await pairedRounds(
      async (steps) => {
        const start = performance.now();
        for (let i = 0; i < steps; i++) {
          const r = await batches.next();
          if (r.done) throw new Error('the repeated pipeline ended');
          const x = tf.tensor(r.value['image']!.data, r.value['image']!.shape);
          const y = tf.tensor(r.value['label']!.data, r.value['label']!.shape);
          await step(model, x, y);
          tf.dispose([x, y]);
          await yieldToEventLoop();
        }
        return performance.now() - start;
      },
      async (steps) => {
        const start = performance.now();
        for (let i = 0; i < steps; i++) {
          await step(model, ...prebuilt[next++ % prebuilt.length]!);
          await yieldToEventLoop();
        }
        return performance.now() - start;
      },
    );
  } finally {
    await batches.return?.();
  }
}

/**
 * recordflow's `train()` (its own step, one upload per field per batch, a yield per step) fed
 * by `pipeline` against `train()` over batches already collated in memory; each round is one
 * `train()` call of FED_STEPS steps with the same optimizer, no validation.
 */
async function trainerFedRatio(model: tf.LayersModel, prebuilt: Collated[], pipeline: Dataset<Collated>): Promise<FedStats> {
  const batches = pipeline[Symbol.asyncIterator]();
  const optimizer = tf.train.adam(5e-4);
  let next = 0;
  const round = async (source: AsyncIterable<Collated> | Collated[]): Promise<number> => {
    const start = performance.now();
    await train(model, source, null, { epochs: 1, optimizer, schedule: () => 5e-4, progress: false });
    return performance.now() - start;
  };
  try {
    return await pairedRounds(
      (steps) =>
        round({
          [Symbol.asyncIterator]: () => {
            let left = steps;
            return {
              next: async (): Promise<IteratorResult<Collated>> => (left-- > 0 ? batches.next() : { done: true, value: undefined }),
            };
          },
        }),
      (steps) => round(Array.from({ length: steps }, () => prebuilt[next++ % prebuilt.length]!)),
    );
  } finally {
    await batches.return?.();
    optimizer.dispose();
  }
}

function fedLine(name: string, fed: FedStats): string {
  return (
    `${name}: pipeline ${fed.pipeline.toFixed(1)} steps/s vs pre-built ${fed.prebuilt.toFixed(1)} steps/s; ` +
    `median of ${fed.ratios.length} paired rounds ${(100 * fed.median).toFixed(1)}% ` +
    `(range ${(100 * Math.min(...fed.ratios)).toFixed(0)}–${(100 * Math.max(...fed.ratios)).toFixed(0)}%, ` +
    `all rounds together ${(100 * fed.pipeline / fed.prebuilt).toFixed(1)}%; target ≥ 95%)`
  );
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
    const stock = await timeFit(run.model, data, STOCK_STEPS, 1);
    tf.dispose(data.flat());
    run.model.dispose();
    run.optimizer.dispose();
    console.log(`stock tfjs model.fit (cpu backend): ${describe(stock)}  (${STOCK_STEPS} steps)`);

    // 2. The fast path, chosen through the same chain the CLI uses.
    const chosen = await selectBackend({ backend: process.env['BACKEND'] === 'auto' ? 'auto' : 'fast', log: (l) => console.log(`  ${l}`) });
    run = compiled();
    data = tensors();
    // The first STOCK_STEPS + 1 warm-up losses are compared with stock's below.
    const fast = await timeFit(run.model, data, FAST_STEPS, Math.max(STOCK_STEPS + 1, FAST_WARMUP));
    console.log(`model.fit on recordflow ${chosen.choice} (${chosen.name}): ${describe(fast)}  (${FAST_STEPS} steps after ${Math.max(STOCK_STEPS + 1, FAST_WARMUP)} warm-up)`);
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
    console.log(fedLine('data-fed (trainOnBatch)', fed));
    const fedTrainer = await trainerFedRatio(run.model, prebuilt, trainingPipeline(file).repeat());
    console.log(fedLine('data-fed (recordflow train())', fedTrainer));

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
