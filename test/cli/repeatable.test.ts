// Same seed, same numbers: two short `start` runs with one seed, the second while a busy child
// process keeps the other core loaded, train the same model. Only timing fields may differ;
// nothing here asserts a time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-cli-repeat-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const TIMING = new Set(['seconds', 'trainSeconds', 'evalSeconds']);

async function startRun(name: string): Promise<{ metrics: Record<string, unknown>; weights: Buffer; stdout: string }> {
  const runs = join(tmp, name);
  const r = await runCli(['start', '--runs', runs, '--scale', '0.05', '--epochs', '3', '--seed', '11']);
  assert.equal(r.code, 0, r.stderr);
  const [run] = readdirSync(runs);
  const metrics = JSON.parse(readFileSync(join(runs, run!, 'metrics.json'), 'utf8')) as Record<string, unknown>;
  return { metrics, weights: readFileSync(join(runs, run!, 'model', 'weights.bin')), stdout: r.stdout };
}

/** The numbers of a run: its per-epoch history without the timings, its best epoch and IoU. */
function numbers(metrics: Record<string, unknown>): unknown {
  const history = (metrics.history as Record<string, unknown>[]).map((h) => Object.fromEntries(Object.entries(h).filter(([k]) => !TIMING.has(k))));
  return { history, epochs: metrics.epochs, bestEpoch: metrics.bestEpoch, iou: metrics.exhaustiveValidationIoU, stoppedBy: metrics.stoppedBy };
}

test('a start run repeated with the same seed on a loaded machine gives the same history, IoU and weights', async () => {
  const idle = await startRun('idle');
  const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  let loaded;
  try {
    loaded = await startRun('loaded');
  } finally {
    busy.kill('SIGKILL');
  }
  assert.equal(idle.metrics.stoppedBy, 'epochs');
  assert.deepEqual(numbers(loaded.metrics), numbers(idle.metrics));
  assert.equal(loaded.stdout, idle.stdout, 'the printed IoU line');
  assert.ok(loaded.weights.equals(idle.weights), 'the saved model is byte for byte the same');
});
