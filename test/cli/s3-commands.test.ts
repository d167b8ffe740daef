// The CLI against a real S3-protocol server (through the fault-injecting proxy): prepare reads
// the npz sets from a bucket and writes there, N workers write byte for byte what one process
// writes (plus _SUCCESS), and cat, verify, index, diff, pack and train take s3:// URLs and
// patterns.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getObjectBytes, headObject, listObjects, putObjectBytes } from '../../src/storage/objects.js';
import { NO_FAULTS, startS3, type S3Harness } from '../storage/s3-harness.js';
import { runCli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-cli-s3-'));

describe('the CLI with s3:// URLs', () => {
  let s3: S3Harness;
  let env: Record<string, string>;
  const sets = join(tmp, 'sets');
  const one = join(tmp, 'one');
  before(async () => {
    s3 = await startS3(['data']);
    env = s3.env as Record<string, string>;
    const r = await runCli(['synth', '--out', sets, '--scale', '0.05', '--seed', '2']);
    assert.equal(r.code, 0, r.stderr);
    for (const name of readdirSync(sets)) await putObjectBytes(`s3://data/sets/${name}`, readFileSync(join(sets, name)));
    const p = await runCli(['prepare', '--npz', sets, '--out', one, '--shards', '4', '--seed', '1']);
    assert.equal(p.code, 0, p.stderr);
  });
  after(async () => {
    await s3.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('one process with --shards K writes Beam-style shard names and an empty _SUCCESS', () => {
    const names = readdirSync(one).sort();
    assert.ok(names.includes('loc_train.tfr-00003-of-00004') && names.includes('loc_val.tfr-00000-of-00004'), names.join(' '));
    assert.equal(statSync(join(one, '_SUCCESS')).size, 0);
  });

  test('N workers against a bucket (reading it too) write byte for byte what one process writes', async () => {
    s3.faults = { ...NO_FAULTS, cut: 0.2, maxCutBytes: 200_000 };
    const runs = await Promise.all(
      [0, 1, 2].map((i) => runCli(['prepare', '--npz', 's3://data/sets', '--out', 's3://data/prep', '--shards', '4', '--seed', '1', '--worker', `${i}/3`, '--json'], { env })),
    );
    s3.faults = { ...NO_FAULTS };
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const written = runs.map((r) => (JSON.parse(r.stdout) as { files: string[] }).files.filter((f) => f !== '_SUCCESS').sort());
    assert.deepEqual(written[1], ['loc_train.tfr-00001-of-00004', 'loc_val.tfr-00001-of-00004'], 'worker 1 of 3 writes shards 1 (and 4, which does not exist)');
    const keys: string[] = [];
    for await (const o of listObjects('data', 'prep/')) keys.push(o.key.slice(5));
    assert.deepEqual(keys.sort(), readdirSync(one).sort());
    for (const name of readdirSync(one)) {
      const got = await getObjectBytes(`s3://data/prep/${name}`);
      assert.ok(got && Buffer.from(got).equals(readFileSync(join(one, name))), name);
    }
  });

  test('N local workers into one directory write what one process writes', async () => {
    const dir = join(tmp, 'workers');
    const runs = await Promise.all([0, 1].map((i) => runCli(['prepare', '--npz', sets, '--out', dir, '--shards', '4', '--seed', '1', '--worker', `${i}/2`])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(dir).sort(), readdirSync(one).sort());
    for (const name of readdirSync(one)) assert.ok(readFileSync(join(dir, name)).equals(readFileSync(join(one, name))), name);
    const bad = await runCli(['prepare', '--npz', sets, '--out', dir, '--shards', '4', '--worker', '2/2']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--worker must be I\/N/);
  });

  test('cat, verify and diff read objects and patterns; index stores KEY.idx', async () => {
    const cat = await runCli(['cat', 's3://data/prep/loc_val.tfr-*', '--json'], { env });
    assert.equal(cat.code, 0, cat.stderr);
    const local = await runCli(['cat', join(one, 'loc_val.tfr-*'), '--json']);
    assert.equal(cat.stdout, local.stdout);
    assert.ok(cat.stdout.split('\n').length > 10);

    const verify = await runCli(['verify', 's3://data/prep/loc_train.tfr-*', '--json'], { env });
    assert.equal(verify.code, 0, verify.stderr);
    const lines = verify.stdout.trim().split('\n').map((l) => JSON.parse(l) as { file: string; ok: boolean });
    assert.deepEqual(lines.map((l) => l.file), [0, 1, 2, 3].map((i) => `s3://data/prep/loc_train.tfr-0000${i}-of-00004`));

    const diff = await runCli(['diff', 's3://data/prep/loc_train.tfr-*', join(one, 'loc_train.tfr-*')], { env });
    assert.equal(diff.code, 0, diff.stdout + diff.stderr);
    assert.match(diff.stdout, /^same: \d+ records/);

    const index = await runCli(['index', 's3://data/prep/loc_val.tfr-00002-of-00004'], { env });
    assert.equal(index.code, 0, index.stderr);
    const local2 = await runCli(['index', join(one, 'loc_val.tfr-00002-of-00004')]);
    assert.equal(local2.code, 0);
    const idx = await getObjectBytes('s3://data/prep/loc_val.tfr-00002-of-00004.idx');
    assert.equal(new TextDecoder().decode(idx), readFileSync(join(one, 'loc_val.tfr-00002-of-00004.idx'), 'utf8'));

    const missing = await runCli(['cat', 's3://data/prep/nothing.tfr'], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /s3:\/\/data\/prep\/nothing\.tfr: no such object/);
    const noMatch = await runCli(['verify', 's3://data/prep/none-*'], { env });
    assert.equal(noMatch.code, 2);
    assert.match(noMatch.stderr, /no object matches the pattern s3:\/\/data\/prep\/none-\*/);
  });

  test('pack writes to an object only when every line was packed', async () => {
    const cat = await runCli(['cat', join(one, 'loc_val.tfr-00000-of-00004'), '--json']);
    const jsonl = join(tmp, 'val0.jsonl');
    writeFileSync(jsonl, cat.stdout);
    const pack = await runCli(['pack', jsonl, 's3://data/packed/val0.tfr'], { env });
    assert.equal(pack.code, 0, pack.stderr);
    const got = await getObjectBytes('s3://data/packed/val0.tfr');
    assert.ok(got && Buffer.from(got).equals(readFileSync(join(one, 'loc_val.tfr-00000-of-00004'))));
    writeFileSync(jsonl, cat.stdout + 'not json\n');
    const bad = await runCli(['pack', jsonl, 's3://data/packed/bad.tfr'], { env });
    assert.equal(bad.code, 2);
    assert.equal(await headObject('s3://data/packed/bad.tfr'), undefined);
  });

  test('train --data s3://bucket/prefix trains from the shards in the bucket', async () => {
    const out = join(tmp, 'model');
    const r = await runCli(['train', '--data', 's3://data/prep', '--out', out, '--epochs', '1', '--no-precise-bn', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(out, 'model.json')));
  });
});
