// The study end to end at a tiny scale: start (synth → prepare → train → eval → pictures), then
// the single commands on its outputs: eval agrees with start, prepare --split reproduces the
// split byte for byte, show draws a valid PNG; and bad inputs fail cleanly with exit 2.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { checkPng, errorLines, ROOT, runCli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-cli-flow-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('start at a tiny scale, then the single commands on its run', { concurrency: 3 }, () => {
  let run = '';
  let startOut = '';

  before(async () => {
    const r = await runCli(['start', '--runs', join(tmp, 'runs'), '--scale', '0.05', '--epochs', '2', '--time-budget', '60', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    startOut = r.stdout;
    const runs = readdirSync(join(tmp, 'runs'));
    assert.equal(runs.length, 1, `one run directory, no partial ones: ${runs}`);
    run = join(tmp, 'runs', runs[0]!);
  });

  test('start prints the IoU line and leaves the run files', () => {
    assert.match(startOut, /^exhaustive validation IoU: [01]\.\d{4}$/m);
    for (const f of ['metrics.json', 'index.html', 'curves.png', 'boxes.png', 'model/model.json', 'model/weights.bin', 'prepared/split.json', 'prepared/loc_val.tfr']) {
      assert.ok(existsSync(join(run, f)), f);
    }
    assert.ok(readdirSync(join(run, 'model')).some((n) => n.includes('tfevents')), 'tfevents file');
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    assert.equal(metrics.history.length, metrics.epochs);
    assert.ok(metrics.epochs >= 1 && metrics.epochs <= 2);
    assert.equal(metrics.trainingSeed, 3, 'an integer seed trains as itself');
    assert.equal(metrics.rows, metrics.train + metrics.val);
    assert.equal(metrics.train, Math.floor(metrics.rows * 0.7));
    const line = /exhaustive validation IoU: (\S+)/.exec(startOut)![1]!;
    assert.equal(metrics.exhaustiveValidationIoU.toFixed(4), line);
    for (const png of ['curves.png', 'boxes.png']) checkPng(readFileSync(join(run, png)));
    for (const spec of ['curves.vl.json', 'boxes.vl.json']) assert.ok(JSON.parse(readFileSync(join(run, spec), 'utf8')).$schema, spec);
  });

  test('eval on the run prints the same IoU as start', async () => {
    const r = await runCli(['eval', '--data', join(run, 'prepared'), '--model', join(run, 'model')]);
    assert.equal(r.code, 0, r.stderr);
    const line = /^exhaustive validation IoU: \d\.\d{4}$/m.exec(r.stdout)?.[0];
    assert.ok(line, r.stdout);
    assert.ok(startOut.includes(line!), `${line} vs ${startOut}`);
  });

  test('prepare --split reproduces the split byte for byte; diff says so', async () => {
    const out = join(tmp, 'again');
    const r = await runCli(['prepare', '--npz', join(run, 'data'), '--out', out, '--split', join(run, 'prepared', 'split.json'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(summary.files.sort(), ['loc_train.tfr', 'loc_val.tfr', 'localization.npz', 'split.json']);
    for (const f of ['loc_train.tfr', 'loc_val.tfr', 'split.json']) {
      assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(run, 'prepared', f))), f);
    }
    const d = await runCli(['diff', join(out, 'loc_val.tfr'), join(run, 'prepared', 'loc_val.tfr')]);
    assert.equal(d.code, 0);
    // A different seed gives a different split, and diff names the first differing record.
    const other = join(tmp, 'other');
    const r2 = await runCli(['prepare', '--npz', join(run, 'data'), '--out', other, '--seed', '99', '--shards', '2']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.ok(existsSync(join(other, 'loc_train.tfr-00000-of-00002')) && existsSync(join(other, 'loc_train.tfr-00001-of-00002')));
    const d2 = await runCli(['diff', join(other, 'loc_val.tfr-00000-of-00002'), join(run, 'prepared', 'loc_val.tfr')]);
    assert.equal(d2.code, 1);
    assert.match(d2.stdout, /^differ at record \d+, feature "(image|h|w|x|y)"/);
  });

  /** Runs `train` in a child process and sends it SIGINT once its stderr matches `when`. */
  const interruptTrain = async (out: string, when: RegExp): Promise<{ code: number | null; stderr: string; stdout: string; outputAtSignal: boolean }> => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'train', '--data', join(run, 'prepared'), '--out', out, '--epochs', '50'], {
      cwd: ROOT,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let sent = false;
    let outputAtSignal = false;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (!sent && when.test(stderr)) {
          sent = true;
          outputAtSignal = existsSync(out);
          child.kill('SIGINT');
        }
      });
      child.on('close', (c) => resolve(c));
    });
    return { code, stderr, stdout, outputAtSignal };
  };

  test('Ctrl-C before the first epoch ends leaves no output directory behind', async () => {
    const out = join(tmp, 'interrupted-early');
    // The backend line comes before the first step: nothing has been validated yet.
    const r = await interruptTrain(out, /backend: /);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /^recordflow train: interrupted \(SIGINT\) before the first epoch ended; nothing kept$/m);
    assert.ok(r.outputAtSignal, 'the interrupt came while the output was being written');
    assert.equal(existsSync(out), false, 'no partial output left');
  });

  test('Ctrl-C after an epoch keeps the best model so far under --out, marked as interrupted', async () => {
    const out = join(tmp, 'interrupted-late');
    const r = await interruptTrain(out, /^epoch 1\/50 .*\(best\)$/m);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /^interrupted \(SIGINT\) in epoch \d+: keeping the best model of the \d+ epochs that finished \(epoch \d+, exhaustive validation IoU \d\.\d{4}\)$/m);
    assert.match(r.stdout, /\(interrupted\)$/m);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.equal(metrics.interrupted, true);
    assert.equal(metrics.stoppedBy, 'interrupted');
    assert.ok(metrics.epochs >= 1 && metrics.epochs < 50, `${metrics.epochs} epochs`);
    assert.deepEqual(readdirSync(out).filter((n) => !n.startsWith('events.out.tfevents.')).sort(), ['metrics.json', 'model.json', 'weights.bin']);
    // The kept model is the best epoch's: eval reproduces its exhaustive validation IoU.
    const e = await runCli(['eval', '--data', join(run, 'prepared'), '--model', out, '--json']);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(JSON.parse(e.stdout).exhaustiveValidationIoU.toFixed(4), metrics.bestValidationIoU.toFixed(4));
  });

  test('eval with a batch larger than the validation split is refused, not 0.0000', async () => {
    const metrics = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8'));
    const r = await runCli(['eval', '--data', join(run, 'prepared'), '--model', join(run, 'model'), '--batch', String(metrics.val + 1)]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(errorLines(r.stderr), [`recordflow eval: ${join(run, 'prepared', 'loc_val.tfr')}: only ${metrics.val} validation records, fewer than one batch of ${metrics.val + 1}`]);
  });

  test('an empty validation or training split is refused before training, nothing left behind', async () => {
    for (const [ratio, split] of [['1', 'validation'], ['0', 'training']] as const) {
      const data = join(tmp, `ratio-${ratio}`);
      const p = await runCli(['prepare', '--npz', join(run, 'data'), '--out', data, '--ratio', ratio]);
      assert.equal(p.code, 0, p.stderr);
      const out = join(tmp, `ratio-${ratio}-out`);
      const r = await runCli(['train', '--data', data, '--out', out, '--epochs', '1']);
      assert.equal(r.code, 2, r.stderr);
      const lines = errorLines(r.stderr).filter((l) => l.startsWith('recordflow'));
      assert.deepEqual(lines, [`recordflow train: ${join(data, `loc_${split === 'training' ? 'train' : 'val'}.tfr`)}: the ${split} split is empty: nothing to ${split === 'training' ? 'train on' : 'validate on'}`]);
      assert.equal(existsSync(out), false);
    }
  });

  test('show --model draws validation rows only: a sharded directory gives its validation shard, training rows are refused', async () => {
    const sharded = join(tmp, 'sharded');
    const p = await runCli(['prepare', '--npz', join(run, 'data'), '--out', sharded, '--shards', '2']);
    assert.equal(p.code, 0, p.stderr);
    const png = join(tmp, 'sharded.png');
    const ok = await runCli(['show', sharded, '--out', png, '--model', join(run, 'model'), '--count', '4', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).file, join(sharded, 'loc_val.tfr-00000-of-00002'));
    for (const file of ['loc_train.tfr-00000-of-00002', 'localization.npz']) {
      const r = await runCli(['show', join(sharded, file), '--out', join(tmp, 'never.png'), '--model', join(run, 'model')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(errorLines(r.stderr).join('\n'), /^recordflow show: .*: --model draws predictions on validation rows only/);
      assert.equal(existsSync(join(tmp, 'never.png')), false);
    }
    // Without --model any of them may be drawn.
    const plain = await runCli(['show', join(sharded, 'loc_train.tfr-00000-of-00002'), '--out', join(tmp, 'train.png'), '--count', '4']);
    assert.equal(plain.code, 0, plain.stderr);
  });

  test('show draws the validation frames with predictions into a valid PNG', async () => {
    const png = join(tmp, 'show.png');
    const r = await runCli(['show', join(run, 'prepared'), '--out', png, '--model', join(run, 'model'), '--count', '8', '--columns', '4', '--scale', '4']);
    assert.equal(r.code, 0, r.stderr);
    const info = checkPng(readFileSync(png));
    // Four 128-pixel cells across, two 96-pixel rows with captions, a title and a legend.
    assert.ok(info.width >= 4 * 128 && info.width < 4 * 128 + 200, `width ${info.width}`);
    assert.ok(info.height >= 2 * 96 + 40 && info.height < 2 * 96 + 300, `height ${info.height}`);
    const spec = JSON.parse(readFileSync(join(tmp, 'show.vl.json'), 'utf8'));
    assert.equal(spec.columns, 4);
  });
});

describe('bad input fails with exit 2, one line, nothing left behind', { concurrency: 2 }, () => {
  test('prepare on a directory without the npz sets', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const out = join(tmp, 'prep-out');
    const r = await runCli(['prepare', '--npz', empty, '--out', out]);
    assert.equal(r.code, 2);
    const lines = errorLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^recordflow prepare: .*dataset1_origin\.npz/);
    assert.equal(existsSync(out), false, 'no output directory left behind');
  });

  test('prepare on an npz with the wrong dtype names the file and the problem', async () => {
    const dir = join(tmp, 'wrong-dtype');
    mkdirSync(dir);
    // numpy writes the sets (an independent producer); dataset1_origin has float32 images.
    const script = `
import numpy as np, sys
d = sys.argv[1]
for r in ('dataset1', 'dataset2'):
    for v in ('origin', 'horizon', 'vertical', 'vh'):
        img = np.zeros((4, 24, 32), np.float32 if (r, v) == ('dataset1', 'origin') else np.uint8)
        np.savez(f'{d}/{r}_{v}.npz', images=img, filters=np.zeros((4, 24, 32), np.uint8),
                 numbers=np.ones(4, np.int64), coordinates=np.zeros((4, 3, 8), np.int64))
`;
    execFileSync('/usr/bin/python3', ['-c', script, dir]);
    const out = join(tmp, 'prep-out-2');
    mkdirSync(out);
    const r = await runCli(['prepare', '--npz', dir, '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    const lines = errorLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /dataset1_origin\.npz.*images.*(float32|dtype)/);
    assert.deepEqual(readdirSync(out), [], 'the existing output directory is left as it was');
  });

  test('train on records that do not match the localization schema', async () => {
    const data = join(tmp, 'bad-data');
    mkdirSync(data);
    copyFileSync(fileURLToPath(new URL('../../golden/tf/lingvo__wmt14_ende_wpm_32k_test.tfrecord', import.meta.url)), join(data, 'loc_train.tfr'));
    copyFileSync(fileURLToPath(new URL('../../golden/tf/lingvo__wmt14_ende_wpm_32k_test.tfrecord', import.meta.url)), join(data, 'loc_val.tfr'));
    const out = join(tmp, 'train-out');
    const r = await runCli(['train', '--data', data, '--out', out, '--epochs', '1']);
    assert.equal(r.code, 2, r.stderr);
    const lines = errorLines(r.stderr).filter((l) => l.startsWith('recordflow'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^recordflow train: .*loc_train\.tfr.*record 0/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(existsSync(out), false);
  });
});
