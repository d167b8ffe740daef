// The detector sections of bench:detect. "step": ms per training step of CenterNet and CornerNet
// (default models, batch 16) on recordflow's fast path against stock tfjs (the cpu backend), each
// backend in a long-lived child process of its own (one tfjs backend per process; a step's
// tensors never move between backends), all four sides driven in the same rotating rounds by
// bench/rounds.ts. A side's round is trainCenterNet / trainCornerNet for one epoch of exactly
// N batches, so a step is what `train --task` runs (batch assembly, forward, loss, gradients,
// Adam); each child reports its own seconds of steps. "decode": decodeCenterNet and
// decodeCornerNet per frame on the outputs of briefly trained models, and their inference.
import { fileURLToPath } from 'node:url';
import type { DetectionSample } from '../src/transforms/detection-example.js';
import { LineChild } from './line-child.js';
import { report, roundRobin, spread, type Side } from './rounds.js';

const SELF = fileURLToPath(import.meta.url);
const TASKS = ['centernet', 'cornernet'] as const;
type Task = (typeof TASKS)[number];
interface StepAnswer {
  ms: number;
  cpuMs: number;
  loss: number;
}

/** Seeded detection frames from the synthetic sets, every person count. */
async function benchFrames(seed: number, scale: number): Promise<DetectionSample[]> {
  const { synthesizeThermal } = await import('../src/synth/index.js');
  const { detectionFromSets, detectionBoxes, bytesToUnitFloat } = await import('../src/transforms/index.js');
  const det = detectionFromSets(synthesizeThermal({ seed, scale }));
  const pixels = det.images.data as Uint8Array;
  return Array.from({ length: det.images.shape[0]! }, (_, i) => {
    const boxes = detectionBoxes(det, i).slice();
    return { image: bytesToUnitFloat(pixels.subarray(i * 768, (i + 1) * 768)), boxes, count: boxes.length / 4 };
  });
}

/** A default model of `task` and a training run of it on `frames` (one epoch). */
async function detector(task: Task) {
  const d = await import('../src/detect/index.js');
  if (task === 'centernet') {
    const model = d.createCenterNet({ seed: 1 });
    return { model, train: (frames: DetectionSample[], batch: number) => d.trainCenterNet(model, frames, { epochs: 1, batch }) };
  }
  const model = d.createCornerNet({ seed: 1 });
  return { model, train: (frames: DetectionSample[], batch: number) => d.trainCornerNet(model, frames, { epochs: 1, batch }) };
}

/**
 * The worker: answers "TASK STEPS\n" with one JSON line {ms, cpuMs, loss}: its wall and CPU
 * milliseconds per step of that many steps (CPU: the whole training call, its targets too).
 */
export async function stepWorker(backend: 'fast' | 'cpu', batch: number): Promise<void> {
  const { selectBackend } = await import('../src/train/index.js');
  await selectBackend({ backend });
  const frames = await benchFrames(7, 0.1);
  const models = new Map<string, Awaited<ReturnType<typeof detector>>>();
  let lines = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) {
    lines += chunk;
    for (let nl = lines.indexOf('\n'); nl >= 0; nl = lines.indexOf('\n')) {
      const [task, n] = lines.slice(0, nl).split(' ') as [Task, string];
      lines = lines.slice(nl + 1);
      const steps = Number(n);
      if (!models.has(task)) models.set(task, await detector(task));
      const c0 = process.cpuUsage();
      const r = await models.get(task)!.train(frames.slice(0, steps * batch), batch);
      const c = process.cpuUsage(c0);
      const cpuMs = (c.user + c.system) / 1e3 / r.steps;
      process.stdout.write(JSON.stringify({ ms: (r.seconds * 1000) / r.steps, cpuMs, loss: r.history[0]!.loss }) + '\n');
    }
  }
}

/** "step": prints each detector's ms per step on both backends and their per-round ratio. */
export async function stepSection(options: { rounds: number; warmup: number; batch: number; fastSteps: number; stockSteps: number }): Promise<void> {
  console.log(`detector step: default models, batch ${options.batch}, Adam; fast path ${options.fastSteps} steps per round, stock tfjs cpu ${options.stockSteps}`);
  const worker = (backend: string) => new LineChild<StepAnswer>(process.execPath, ['--import', 'tsx', SELF, '--step-worker', backend, String(options.batch)], `${backend} step worker`);
  const fast = worker('fast');
  const stock = worker('cpu');
  try {
    const sides: Side<StepAnswer>[] = TASKS.flatMap((task) => [
      { name: `${task} fast`, run: () => fast.request(`${task} ${options.fastSteps}`) },
      { name: `${task} stock cpu`, run: () => stock.request(`${task} ${options.stockSteps}`) },
    ]);
    const results = await roundRobin(sides, {
      rounds: options.rounds,
      warmup: options.warmup,
      figures: (_t, r) => ({ ms: r.ms, cpuMs: r.cpuMs }),
      check: (side, r) => {
        if (!Number.isFinite(r.loss)) throw new Error(`${side}: loss ${r.loss}`);
      },
      log: (line) => console.error(`  ${line}`),
    });
    for (const task of TASKS) {
      const pair = results.filter((r) => r.name.startsWith(`${task} `));
      for (const figure of ['ms', 'cpuMs']) {
        for (const line of report(pair, { baseline: `${task} fast`, figure, unit: figure === 'ms' ? 'ms/step wall' : 'ms/step CPU', digits: 1 })) console.log(`  ${line}`);
      }
    }
    // The detectors against each other in the same rounds (on the fast path).
    for (const figure of ['ms', 'cpuMs']) {
      for (const line of report(results.filter((r) => r.name.endsWith(' fast')), { baseline: 'centernet fast', figure, unit: figure === 'ms' ? 'ms/step wall' : 'ms/step CPU', digits: 1 }).slice(1)) console.log(`  ${line}`);
    }
  } finally {
    fast.close();
    stock.close();
  }
}

/** "decode": each detector's decode and inference per frame on the fast path. */
export async function decodeSection(options: { frames: number; rounds: number }): Promise<void> {
  const { selectBackend } = await import('../src/train/index.js');
  const d = await import('../src/detect/index.js');
  await selectBackend({ backend: 'fast' });
  const frames = (await benchFrames(9, 0.3)).slice(0, options.frames);
  const images = frames.map((f) => f.image);
  console.log(`detector decode: ${images.length} validation-like frames (24 x 32), top 100, threshold 0, on models trained 2 epochs on 512 frames`);
  const line = (name: string, v: number[]) => {
    const s = spread(v);
    return `  ${name.padEnd(24)} ${s.median.toFixed(1).padStart(7)} µs/frame  (spread ${(s.min / s.median).toFixed(2)}–${(s.max / s.median).toFixed(2)})`;
  };
  for (const task of TASKS) {
    const { model } = await detector(task);
    // Briefly trained, so the heatmaps have the peaks and background of a real model.
    const train = { epochs: 2, batch: 16 };
    if (task === 'centernet') await d.trainCenterNet(model, frames.slice(0, 512), train);
    else await d.trainCornerNet(model, frames.slice(0, 512), train);
    const predict: number[] = [];
    const decode: number[] = [];
    let boxes = 0;
    // The same rounds for both stages, alternating, after one untimed warm-up.
    for (let r = 0; r <= options.rounds; r++) {
      const t0 = performance.now();
      const outputs = task === 'centernet' ? await d.predictCenterNet(model, images) : await d.predictCornerNet(model, images);
      const t1 = performance.now();
      const dets = task === 'centernet' ? d.decodeCenterNet(outputs as Awaited<ReturnType<typeof d.predictCenterNet>>, { topK: 100 }) : d.decodeCornerNet(outputs as Awaited<ReturnType<typeof d.predictCornerNet>>, { topK: 100 });
      const t2 = performance.now();
      if (r === 0) continue;
      boxes = dets.reduce((n, f) => n + f.length, 0);
      predict.push(((t1 - t0) * 1000) / images.length);
      decode.push(((t2 - t1) * 1000) / images.length);
    }
    model.dispose();
    console.log(`  ${task}: ${(boxes / images.length).toFixed(1)} boxes per frame`);
    console.log(line(`${task} decode`, decode));
    console.log(line(`${task} inference (fast)`, predict));
  }
}

const worker = process.argv.indexOf('--step-worker');
if (worker >= 0) await stepWorker(process.argv[worker + 1] as 'fast' | 'cpu', Number(process.argv[worker + 2]));
