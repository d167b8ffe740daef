// npm run bench:detect [-- --images 5000 --dets 100 --rounds 5 --warmup 1 --step-rounds 3 --fast-steps 10 --stock-steps 1 --only coco|step|decode]
// The detectors' sections, "step" and "decode", are in detect-models.ts (see there).
// Detection timings. Section "cocoEvaluate": COCO box evaluation of --images images x --dets
// detections (about 7 objects per image, one category, seeded), from parsed JSON objects to the
// 12 stats. With PYCOCOTOOLS=DIR (a directory holding a built pycocotools package) the real
// pycocotools scores the same data side by side: COCO() + loadRes + COCOeval evaluate /
// accumulate / summarize, timed inside one long-lived python3 process (its own wall and CPU
// seconds, start-up and JSON loading excluded on both sides). Every side gets the same warm-up
// and counted rounds in rotating turns (bench/rounds.ts); each round checks that both sides
// give the same stats. pycocotools takes about a minute per round at 5,000 x 100, so with it the
// default is 3 rounds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/core/random.js';
import { cocoEvaluate, type CocoAnnotation, type CocoDataset, type CocoDetection } from '../src/detect/coco/index.js';
import { report, roundRobin, type Side } from './rounds.js';
import { LineChild } from './line-child.js';
import { decodeSection, stepSection } from './detect-models.js';

const GOLDEN_COCO = fileURLToPath(new URL('../golden/coco/', import.meta.url));

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Seeded ground truth and detections: each object found once or twice with some error, the
 * rest of the detections scattered at lower scores. */
export function syntheticCoco(images: number, detsPerImage: number, seed = 1): { gt: CocoDataset; dets: CocoDetection[] } {
  const rng = createRng(seed);
  const annotations: CocoAnnotation[] = [];
  const dets: CocoDetection[] = [];
  const box = (): number[] => {
    const w = rng.uniform(4, 120);
    const h = rng.uniform(4, 120);
    return [rng.uniform(0, 640 - w), rng.uniform(0, 480 - h), w, h];
  };
  for (let img = 1; img <= images; img++) {
    const objects = 4 + rng.int(7);
    let left = detsPerImage;
    for (let g = 0; g < objects; g++) {
      const b = box();
      annotations.push({ id: annotations.length + 1, image_id: img, category_id: 1, bbox: b, area: b[2]! * b[3]!, iscrowd: rng.next() < 0.02 ? 1 : 0 });
      for (let k = 1 + rng.int(2); k > 0 && left > 0; k--, left--) {
        const e = () => rng.normal() * 0.08;
        dets.push({ image_id: img, category_id: 1, bbox: [b[0]! + e() * b[2]!, b[1]! + e() * b[3]!, b[2]! * (1 + e()), b[3]! * (1 + e())], score: 0.3 + 0.7 * rng.next() });
      }
    }
    for (; left > 0; left--) dets.push({ image_id: img, category_id: 1, bbox: box(), score: 0.5 * rng.next() });
  }
  return { gt: { images: Array.from({ length: images }, (_, i) => ({ id: i + 1, width: 640, height: 480 })), annotations, categories: [{ id: 1, name: 'object' }] }, dets };
}

// A long-lived pycocotools process: one line in ("run") per evaluation, one JSON line out with
// its own wall and CPU seconds and the stats. The import shims are golden/coco/make_coco_golden.py's.
const PY_SERVER = String.raw`
import contextlib, copy, io, json, sys, time
sys.path.insert(0, sys.argv[4])
from make_coco_golden import load_pycocotools
COCO, COCOeval = load_pycocotools(sys.argv[1])
gt_data = json.load(open(sys.argv[2]))
dt_data = json.load(open(sys.argv[3]))
out = sys.stdout
for line in sys.stdin:
    gt_copy, dt_copy = copy.deepcopy(gt_data), copy.deepcopy(dt_data)
    with contextlib.redirect_stdout(io.StringIO()):
        w0, c0 = time.perf_counter(), time.process_time()
        gt = COCO()
        gt.dataset = gt_copy
        gt.createIndex()
        E = COCOeval(gt, gt.loadRes(dt_copy), 'bbox')
        E.evaluate(); E.accumulate(); E.summarize()
        w1, c1 = time.perf_counter(), time.process_time()
    out.write(json.dumps({'wallMs': (w1 - w0) * 1e3, 'cpuMs': (c1 - c0) * 1e3, 'stats': [float(v) for v in E.stats]}) + '\n')
    out.flush()
`;

interface CocoRun {
  stats: number[];
  wallMs?: number;
  cpuMs?: number;
}

/** The cocoEvaluate section: prints its lines. */
export async function cocoEvaluateSection(options: { images: number; dets: number; rounds?: number; warmup?: number; pycocotools?: string }): Promise<void> {
  const { gt, dets } = syntheticCoco(options.images, options.dets);
  console.log(`cocoEvaluate: ${options.images} images x ${options.dets} detections, ${gt.annotations.length} objects, 1 category`);
  const sides: Side<CocoRun>[] = [{ name: 'recordflow', run: () => ({ stats: cocoEvaluate(gt, dets).stats }) }];
  let server: LineChild<CocoRun> | undefined;
  let dir: string | undefined;
  if (options.pycocotools) {
    dir = mkdtempSync(join(tmpdir(), 'recordflow-bench-coco-'));
    writeFileSync(join(dir, 'gt.json'), JSON.stringify(gt));
    writeFileSync(join(dir, 'dets.json'), JSON.stringify(dets));
    const s = new LineChild<CocoRun>('/usr/bin/python3', ['-c', PY_SERVER, options.pycocotools, join(dir, 'gt.json'), join(dir, 'dets.json'), GOLDEN_COCO], 'pycocotools');
    server = s;
    sides.push({ name: 'pycocotools', run: () => s.request('run') });
  }
  let reference: number[] | undefined;
  try {
    const results = await roundRobin(sides, {
      rounds: options.rounds ?? (server ? 3 : 5),
      warmup: options.warmup ?? 1,
      // pycocotools reports its own seconds (the round trip would add pipe and copy time).
      figures: (t, r) => ({ ms: r.wallMs ?? t.wallMs, cpuMs: r.cpuMs ?? t.cpuMs }),
      check: (side, r) => {
        reference ??= r.stats;
        r.stats.forEach((v, i) => {
          if (!(Math.abs(v - reference![i]!) <= 1e-9)) throw new Error(`${side}: stats[${i}] = ${v}, other side ${reference![i]}`);
        });
      },
      log: (line) => console.error(`  ${line}`),
    });
    console.log(`  stats: AP ${reference![0]!.toFixed(4)}, AP50 ${reference![1]!.toFixed(4)}, AR100 ${reference![8]!.toFixed(4)}${server ? ' (both sides agree to 1e-9)' : ''}`);
    for (const line of report(results, { baseline: 'recordflow', figure: 'ms', unit: 'ms wall' })) console.log(`  ${line}`);
    for (const line of report(results, { baseline: 'recordflow', figure: 'cpuMs', unit: 'ms CPU' })) console.log(`  ${line}`);
  } finally {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only === undefined || only === 'coco') {
  await cocoEvaluateSection({
    images: arg('images', 5000),
    dets: arg('dets', 100),
    rounds: process.argv.includes('--rounds') ? arg('rounds', 5) : undefined,
    warmup: arg('warmup', 1),
    pycocotools: process.env['PYCOCOTOOLS'],
  });
}
if (only === undefined || only === 'step') {
  // Stock cpu takes seconds per step, so it runs fewer steps per round; each side times its own.
  // (Stock tfjs took 250-280 s per step of either detector at batch 16 on the shared machine.)
  await stepSection({ rounds: arg('step-rounds', 3), warmup: 1, batch: 16, fastSteps: arg('fast-steps', 10), stockSteps: arg('stock-steps', 1) });
}
if (only === undefined || only === 'decode') await decodeSection({ frames: 1000, rounds: 5 });
