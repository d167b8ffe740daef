// prepare --task detect end to end at a small scale, checked by an independent numpy + protobuf
// script (fixtures/check_prepare_detect.py): row order from det_split.json, Example bytes, the
// COCO ground truth. Then --split reproduction and bad inputs (exit 2).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { runInProcess } from '../cli/helpers.js';

const CHECK = fileURLToPath(new URL('./fixtures/check_prepare_detect.py', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'recordflow-prep-detect-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('prepare --task detect', () => {
  const data = join(tmp, 'data');
  const prep = join(tmp, 'prep');

  before(async () => {
    const s = await runInProcess(['synth', '--out', data, '--seed', '11', '--scale', '0.1']);
    assert.equal(s.code, 0, s.stderr);
    const r = await runInProcess(['prepare', '--task', 'detect', '--npz', data, '--out', prep, '--seed', '4', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(summary.files, ['det_train.tfr', 'det_val.tfr', 'det_split.json', 'det_val_coco.json']);
    assert.equal(summary.train, Math.floor(summary.rows * 0.7));
  });

  test('every frame, permuted by the seed, matches an independent numpy computation byte for byte', () => {
    const out = execFileSync('/usr/bin/python3', [CHECK, data, prep], { encoding: 'utf8' });
    const report = JSON.parse(out) as { rows: number; train: number; val: number; counts: number[] };
    assert.equal(report.rows, report.train + report.val);
    // Frames of every count are kept (none dropped).
    assert.ok(report.counts.every((c) => c > 0), JSON.stringify(report.counts));
    assert.deepEqual(readdirSync(prep).sort(), ['det_split.json', 'det_train.tfr', 'det_val.tfr', 'det_val_coco.json']);
  });

  test('the seed decides the permutation; --split reproduces it byte for byte', async () => {
    const again = join(tmp, 'again');
    const r = await runInProcess(['prepare', '--task', 'detect', '--npz', data, '--out', again, '--split', join(prep, 'det_split.json')]);
    assert.equal(r.code, 0, r.stderr);
    for (const f of ['det_train.tfr', 'det_val.tfr', 'det_split.json', 'det_val_coco.json']) {
      assert.ok(readFileSync(join(again, f)).equals(readFileSync(join(prep, f))), f);
    }
    const other = join(tmp, 'other');
    assert.equal((await runInProcess(['prepare', '--task', 'detect', '--npz', data, '--out', other, '--seed', '5'])).code, 0);
    const a = JSON.parse(readFileSync(join(prep, 'det_split.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(other, 'det_split.json'), 'utf8'));
    assert.notDeepEqual(a.permutation, b.permutation);
    assert.deepEqual([...a.permutation].sort((x: number, y: number) => x - y), [...b.permutation].sort((x: number, y: number) => x - y));
  });

  test('bad input exits 2 with one line naming the problem and leaves no output', async () => {
    const cases: [string[], RegExp][] = [
      [['--task', 'segment'], /--task must be one of localize, detect/],
      [['--task', 'detect', '--shards', '2'], /--shards applies to --task localize only/],
      [['--task', 'detect', '--npz', join(tmp, 'nowhere')], /nowhere: no such file or directory/],
    ];
    const bad = join(tmp, 'bad-split.json');
    writeFileSync(bad, JSON.stringify({ permutation: [0, 1, 2], train_count: 2 }));
    cases.push([['--task', 'detect', '--split', bad], /bad-split\.json.*permutation has 3 indices/]);
    for (const [i, [args, pattern]] of cases.entries()) {
      const out = join(tmp, `bad-out-${i}`);
      const full = ['prepare', '--npz', data, '--out', out, ...args];
      const r = await runInProcess(full);
      assert.equal(r.code, 2, `${full.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(!existsSync(out) || readdirSync(out).length === 0, 'no output');
    }
  });
});
