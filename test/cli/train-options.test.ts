// Option handling of the model commands: --backend validation, the precise-BN options `train`
// hands to the trainer, and --checkpoints/--resume (short in-process runs on tiny data).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { trainRunOptions } from '../../src/cli/commands/train.js';
import { preciseBNOption } from '../../src/train/run.js';
import { annealSchedule } from '../../src/train/schedule.js';
import { errorLines, ROOT, runCli, runInProcess } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-cli-options-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('--backend', () => {
  test('an unknown backend is a usage error in every model command, before anything is written', async () => {
    const out = join(tmp, 'never');
    const commands: [string, string[]][] = [
      ['train', ['--data', tmp, '--out', out]],
      ['eval', ['--data', tmp, '--model', out]],
      ['show', [tmp, '--out', join(out, 'x.png'), '--model', out]],
      ['start', ['--runs', out]],
    ];
    for (const [name, args] of commands) {
      const r = await runInProcess([name, ...args, '--backend', 'foo']);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.deepEqual(errorLines(r.stderr), [`recordflow ${name}: --backend must be one of auto, gpu, node, fast, wasm, cpu, got "foo" (see --help)`]);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(out), false, `${name} created ${out}`);
    }
  });
});

describe('train: precise BN and resume options', () => {
  const noLog = (): void => {};
  const preciseBN = (values: Record<string, string | boolean>) => preciseBNOption(trainRunOptions(values, noLog).preciseBNBatches);

  test('precise BN pools the whole training set by default; --precise-bn-batches limits it, --no-precise-bn turns it off', () => {
    assert.deepEqual(preciseBN({}), {});
    assert.deepEqual(preciseBN({ 'precise-bn-batches': '5' }), { maxBatches: 5 });
    assert.equal(preciseBN({ 'no-precise-bn': true }), false);
    assert.equal(preciseBN({ 'no-precise-bn': true, 'precise-bn-batches': '5' }), false);
  });

  test('--resume needs --checkpoints; --checkpoints lies outside --out', async () => {
    const base = ['train', '--data', tmp, '--out', join(tmp, 'never'), '--resume'];
    const alone = await runInProcess(base);
    assert.equal(alone.code, 2);
    assert.match(errorLines(alone.stderr)[0]!, /^recordflow train: --resume needs --checkpoints DIR/);
    const inside = await runInProcess(['train', '--data', tmp, '--out', join(tmp, 'o'), '--checkpoints', join(tmp, 'o', 'c')]);
    assert.equal(inside.code, 2);
    assert.match(errorLines(inside.stderr)[0]!, /^recordflow train: --checkpoints must be outside --out/);
  });
});

describe('train --checkpoints DIR --resume (in-process, 89 training frames)', () => {
  const prepared = join(tmp, 'prepared');
  before(async () => {
    const { runSynth } = await import('../../src/cli/commands/synth.js');
    const { runPrepare } = await import('../../src/cli/commands/prepare.js');
    await runSynth(join(tmp, 'npz'), 3, 0.05);
    await runPrepare(join(tmp, 'npz'), prepared, { seed: 3 });
  });
  const train = (out: string, ...args: string[]) => runInProcess(['train', '--data', prepared, '--out', join(tmp, out), '--seed', '1', ...args]);
  const history = (out: string): { loss: number; seconds: number; validationIoU: number; preciseBN?: { batches: number } }[] =>
    JSON.parse(readFileSync(join(tmp, out, 'metrics.json'), 'utf8')).history;

  test('a resumed run gives the losses of an uninterrupted one; precise BN covers the whole set', async () => {
    const straight = await train('straight', '--epochs', '2');
    assert.equal(straight.code, 0, straight.stderr);
    assert.ok(!readdirSync(join(tmp, 'straight')).some((n) => n.startsWith('.')), 'no checkpoint left in the output');
    const nTrain = JSON.parse(readFileSync(join(tmp, 'straight', 'metrics.json'), 'utf8')).nTrain as number;
    assert.deepEqual(history('straight').map((h) => h.preciseBN?.batches), [Math.floor(nTrain / 7), Math.floor(nTrain / 7)]);

    const ckpt = join(tmp, 'ckpt');
    const first = await train('first', '--epochs', '1', '--checkpoints', ckpt);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(readdirSync(ckpt).sort(), ['best', 'last', 'run.json'], 'the checkpoint outlives the run');
    const again = await train('again', '--epochs', '2', '--checkpoints', ckpt);
    assert.equal(again.code, 2);
    assert.match(errorLines(again.stderr)[0]!, /holds the checkpoint of a run after epoch 1: pass --resume/);
    const otherSeed = await runInProcess(['train', '--data', prepared, '--out', join(tmp, 'x'), '--seed', '2', '--checkpoints', ckpt, '--resume']);
    assert.equal(otherSeed.code, 2);
    assert.match(errorLines(otherSeed.stderr)[0]!, /--resume: .* was trained with seed 1; this run has seed 2/);
    const resumed = await train('resumed', '--epochs', '2', '--checkpoints', ckpt, '--resume');
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /: 2 epochs \(1 in this run, resumed after 1\) in \d+ s on /);
    assert.doesNotMatch(straight.stdout, /in this run/);
    // Epoch 1 comes from the checkpoint, not from training it again: even its timing is the first run's.
    assert.equal(history('resumed')[0]!.seconds, history('first')[0]!.seconds);
    assert.deepEqual(history('resumed').map((h) => h.loss), history('straight').map((h) => h.loss));
    assert.deepEqual(history('resumed').map((h) => h.validationIoU), history('straight').map((h) => h.validationIoU));
  });

  test('two runs on one --checkpoints directory: the second is refused while the first holds its LOCK; Ctrl-C releases it', async () => {
    const ckpt = join(tmp, 'shared-ckpt');
    const lock = join(ckpt, 'LOCK');
    for (const signals of [1, 2]) {
      // The first run, in its own process, trains long enough to be interrupted.
      const first = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'train', '--data', prepared, '--out', join(tmp, `owner${signals}`), '--epochs', '50', '--checkpoints', ckpt, '--resume'], {
        cwd: ROOT,
        env: { ...process.env, CI: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      first.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const exited = new Promise<number | null>((resolve) => first.on('close', resolve));
      for (let waited = 0; !existsSync(lock); waited += 50) {
        assert.ok(waited < 60_000, `no lock after 60 s: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(JSON.parse(readFileSync(lock, 'utf8')).pid, first.pid, 'the lock names its owner');
      const second = await runCli(['train', '--data', prepared, '--out', join(tmp, 'second'), '--checkpoints', ckpt, '--resume']);
      assert.equal(second.code, 2, second.stderr);
      assert.deepEqual(errorLines(second.stderr), [
        `recordflow train: the checkpoint directory is in use by another run (process ${first.pid}, lock file ${lock}); wait for it to end, or choose another --checkpoints directory`,
      ]);
      assert.equal(existsSync(join(tmp, 'second')), false);
      // One Ctrl-C ends the run at the next step; two exit at once: the lock goes either way.
      for (let k = 0; k < signals; k++) first.kill('SIGINT');
      assert.equal(await exited, 130, stderr);
      assert.equal(existsSync(lock), false, `${signals} SIGINT: the lock is gone`);
    }
  });

  test('a stale lock (its process is gone) is taken over, and the lock is removed at the end', async () => {
    const ckpt = join(tmp, 'stale-ckpt');
    mkdirSync(ckpt);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(gone.stdout);
    writeFileSync(join(ckpt, 'LOCK'), JSON.stringify({ pid, host: hostname() }) + '\n');
    const r = await runCli(['train', '--data', prepared, '--out', join(tmp, 'stale-out'), '--epochs', '1', '--checkpoints', ckpt]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^taking over the stale lock of process ${pid}, which is no longer running \\(`, 'm'));
    assert.deepEqual(readdirSync(ckpt).sort(), ['best', 'last', 'run.json']);
  });

  test('--no-precise-bn trains without it', async () => {
    const r = await train('plain', '--epochs', '1', '--no-precise-bn');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(history('plain')[0]!.preciseBN, undefined);
  });
});

describe('start --block-dropout', () => {
  test('a rate outside [0, 0.95] is a usage error before anything is written', async () => {
    const out = join(tmp, 'never-dropout');
    for (const rate of ['1', '-0.1', 'x']) {
      const r = await runInProcess(['start', '--runs', out, `--block-dropout=${rate}`]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(errorLines(r.stderr)[0]!, /^recordflow start: --block-dropout must be (between 0 and 0.95|a number)/);
      assert.equal(existsSync(out), false);
    }
  });
});

describe('the annealed learning rate (start, train --anneal)', () => {
  const lr0 = 3e-3;
  const cosine = (p: number): number => Math.fround(lr0 * (0.02 + 0.98 * 0.5 * (1 + Math.cos(Math.PI * p))));

  test('is a cosine over the steps of all the epochs, then holds at 2%', () => {
    const rate = annealSchedule(lr0, 25_800);
    assert.equal(rate(0), Math.fround(lr0));
    assert.equal(rate(6_450), cosine(0.25));
    assert.equal(rate(12_900), cosine(0.5));
    assert.equal(rate(25_800), Math.fround(lr0 * 0.02));
    assert.equal(rate(40_000), Math.fround(lr0 * 0.02), 'stays at 2% after the last step');
    // The last step of the run (0-based step 25,799) is within a hair of the floor.
    assert.ok(rate(25_799) < lr0 * 0.0201);
  });

  test('takes no clock: the same step gives the same rate whenever it is asked', () => {
    assert.equal(annealSchedule.length, 2);
    const rate = annealSchedule(lr0, 1000);
    assert.deepEqual([0, 1, 500, 999].map(rate), [0, 1, 500, 999].map(rate));
  });
});
