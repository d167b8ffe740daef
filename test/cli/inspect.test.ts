// head, count and schema against real TensorFlow-written files (golden/tf, facts from its
// SOURCES.md) and against shards written by Python's protobuf with known contents
// (golden/inspect, from golden/make_inspect_golden.py, whose expected.json says what they hold).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateSync, gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GOLDEN_TF_COUNTS } from '../io/golden-tf-counts.js';
import { errorLines, runCli, runInProcess } from './helpers.js';

const tf = (name: string) => fileURLToPath(new URL(`../../golden/tf/${name}`, import.meta.url));
const shards = fileURLToPath(new URL('../../golden/inspect/', import.meta.url));
const expected = JSON.parse(readFileSync(`${shards}expected.json`, 'utf8')) as {
  files: { name: string; records: number }[];
  schema: { records: number; features: Record<string, Record<string, unknown>> };
  head: unknown[];
};

describe('count', () => {
  test('records per file and in total, for the real TensorFlow files', async () => {
    const files = GOLDEN_TF_COUNTS;
    const paths = Object.keys(files).map(tf);
    const r = await runInProcess(['count', ...paths, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { files: paths.map((path, i) => ({ path, records: Object.values(files)[i] })), total: 560 });
    const text = await runInProcess(['count', ...paths.slice(0, 2)]);
    assert.deepEqual(text.stdout.split('\n'), [`  3  ${paths[0]}`, `100  ${paths[1]}`, '103  total', '']);
  });

  test('a shard pattern expands in order; standard input reads with --compression or as its first bytes say', async () => {
    const r = await runInProcess(['count', `${shards}shard-*`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      files: expected.files.map((f) => ({ path: shards + f.name, records: f.records })),
      total: 400,
    });
    const gz = readFileSync(`${shards}${expected.files[1]!.name}`);
    const stdin = await runCli(['count', '-', '--compression', 'gzip', '--json'], { input: gz });
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.deepEqual(JSON.parse(stdin.stdout), { files: [{ path: '-', records: 160 }], total: 160 });
    // Without --compression the first bytes tell: gzip, zlib or plain.
    const plain = gunzipSync(gz);
    for (const input of [gz, deflateSync(plain), plain]) {
      const sniffed = await runCli(['count', '-', '--json'], { input });
      assert.equal(sniffed.code, 0, sniffed.stderr);
      assert.equal(JSON.parse(sniffed.stdout).total, 160);
    }
    // Damage on standard input is named as such.
    const cut = await runCli(['schema', '-'], { input: plain.subarray(0, 1000) });
    assert.equal(cut.code, 2);
    assert.match(cut.stderr, /<stdin>: truncated/);
  });

  test('a payload CRC that verify refuses stops count too; --headers-only walks the framing alone', async () => {
    const file = fileURLToPath(new URL('../../golden/tfrecord/bad-data-crc.tfrecord', import.meta.url));
    const manifest = JSON.parse(readFileSync(new URL('../../golden/tfrecord/manifest.json', import.meta.url), 'utf8'));
    assert.equal(manifest.files['bad-data-crc.tfrecord'].error.kind, 'data_crc_mismatch');
    const checked = await runInProcess(['count', file, '--json']);
    assert.equal(checked.code, 2);
    const verified = await runInProcess(['verify', file]);
    assert.equal(verified.code, 2);
    assert.equal(errorLines(checked.stderr).at(-1)!.replace('count', 'verify'), errorLines(verified.stderr).at(-1));
    const r = await runInProcess(['count', file, '--headers-only', '--json']);
    assert.equal(r.code, 0, r.stderr);
    // Every frame is whole (the damage is inside payload 5), so all the manifest's payloads count.
    assert.equal(JSON.parse(r.stdout).total, manifest.sizes.length);
  });

  test('damage, a missing file, an empty pattern and - twice fail with exit 2 and a message naming them', async () => {
    const bad = fileURLToPath(new URL('../../golden/tfrecord/bad-length-crc.tfrecord', import.meta.url));
    const r = await runInProcess(['count', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad-length-crc\.tfrecord: length_crc_mismatch at record \d+, offset \d+/);
    assert.equal((await runInProcess(['count', `${shards}missing.tfrecord`])).code, 2);
    const none = await runInProcess(['count', `${shards}nothing-*`]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /nothing-\*/);
    const twice = await runInProcess(['count', '-', '-']);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /- \(standard input\) can be only one of the inputs/);
  });
});

describe('schema', () => {
  test('matches what Python wrote: kinds, presence, lengths, ranges, means, distinct counts', async () => {
    const r = await runInProcess(['schema', `${shards}shard-*`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout) as { records: number; features: Record<string, Record<string, unknown>> };
    assert.equal(got.records, 400);
    assert.deepEqual(Object.keys(got.features), Object.keys(expected.schema.features));
    for (const [key, want] of Object.entries(expected.schema.features)) {
      const have = got.features[key]!;
      assert.deepEqual(Object.keys(have).sort(), Object.keys(want).sort(), key);
      for (const field of ['kind', 'present', 'minLength', 'maxLength', 'distinct', 'nan', 'kinds']) assert.deepEqual(have[field], want[field], `${key}.${field}`);
      for (const field of ['min', 'max']) {
        if (typeof want[field] === 'string') assert.equal(have[field], want[field], `${key}.${field}`);
        else if (want[field] !== undefined) assert.equal(Math.fround(have[field] as number), Math.fround(want[field] as number), `${key}.${field}`);
      }
      if (want.mean !== undefined) assert.ok(Math.abs((have.mean as number) - (want.mean as number)) <= 1e-9 * Math.max(1, Math.abs(want.mean as number)), `${key}.mean`);
    }
    // The table names every feature with its kind.
    const table = await runInProcess(['schema', `${shards}shard-*`]);
    assert.match(table.stdout, /^400 records, 10 features$/m);
    assert.match(table.stdout, /^unset +none +400\/400 +0$/m);
    assert.match(table.stdout, /^label +bytes +400\/400 +1 +7$/m);
  });

  test('the real TensorFlow files: what their SOURCES.md says about them', async () => {
    const r = await runInProcess(['schema', tf('lingvo__wmt14_ende_wpm_32k_test.tfrecord'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lingvo = JSON.parse(r.stdout);
    assert.equal(lingvo.records, 100);
    const kinds = { example_index: 'int64', natural_order: 'int64', source_id: 'int64', source_padding: 'float', source_word: 'bytes', target_id: 'int64', target_label: 'int64', target_padding: 'float', target_weight: 'float', target_word: 'bytes' };
    assert.deepEqual(Object.fromEntries(Object.entries(lingvo.features).map(([k, f]) => [k, (f as { kind: string }).kind])), kinds);
    for (const [key, f] of Object.entries(lingvo.features) as [string, { present: number; minLength: number; maxLength: number; min?: number }][]) {
      assert.equal(f.present, 100, key);
      if (key.startsWith('source_')) assert.deepEqual([f.minLength, f.maxLength], [2, 53], key);
      if (key.startsWith('target_')) assert.deepEqual([f.minLength, f.maxLength], [3, 64], key);
      if (key === 'example_index' || key === 'natural_order') assert.deepEqual([f.minLength, f.maxLength], [1, 1], key);
      if ((kinds as Record<string, string>)[key] === 'int64') assert.ok(f.min! >= 0, key);
    }
    const maxInt = Math.max(...Object.values(lingvo.features).filter((f) => (f as { kind: string }).kind === 'int64').map((f) => (f as { max: number }).max));
    assert.equal(maxInt, 31448);

    const gz = await runInProcess(['schema', tf('deepconsensus__human_1m_tf_examples_eval.tfrecord.gz'), '--json']);
    const dc = JSON.parse(gz.stdout);
    assert.equal(dc.records, 65);
    assert.equal(Object.keys(dc.features).length, 8);
    assert.ok(!Object.values(dc.features).some((f) => (f as { kind: string }).kind === 'float'), 'no float features');
    assert.deepEqual([dc.features.ccs_base_quality_scores.minLength, dc.features.ccs_base_quality_scores.maxLength, dc.features.ccs_base_quality_scores.min], [100, 100, -1]);
    assert.deepEqual([dc.features['subreads/shape'].minLength, dc.features['subreads/shape'].max], [3, 100]);
    assert.equal(dc.features['label/encoded'].kind, 'bytes');

    const singles = JSON.parse((await runInProcess(['schema', tf('pwnall-tfrecord__singles.tfrecords'), '--json'])).stdout);
    assert.deepEqual(singles, {
      records: 3,
      features: {
        byte_feature: { kind: 'bytes', present: 1, minLength: 1, maxLength: 1, distinct: 1 },
        float_feature: { kind: 'float', present: 1, minLength: 1, maxLength: 1, min: 3.14, max: 3.14, mean: Math.fround(3.14) },
        int_feature: { kind: 'int64', present: 1, minLength: 1, maxLength: 1, min: 42, max: 42, mean: 42 },
      },
    });
  });

  test('standard input, and a record that is not an Example named by file, index and offset', async () => {
    const r = await runCli(['schema', '-', '--json'], { input: readFileSync(tf('pwnall-tfrecord__singles.tfrecords')) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).records, 3);
    // lingvo's en_fr records are another proto, which protobuf cannot read as an Example.
    const bad = await runInProcess(['schema', tf('lingvo__en_fr.tfrecord')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /lingvo__en_fr\.tfrecord: record 0 at offset 0 is not a tf\.train\.Example/);
    // Event records read as Examples without features, as protobuf reads them (field 1 is a
    // double there, an unknown field here).
    const events = JSON.parse((await runInProcess(['schema', tf('lingvo__events.out.tfevents.test'), '--json'])).stdout);
    assert.deepEqual(events, { records: 361, features: {} });
  });
});

describe('head', () => {
  test('-n N --json gives the first Examples as Python printed them (MessageToJson)', async () => {
    const r = await runInProcess(['head', `${shards}shard-*`, '-n', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l)), expected.head);
  });

  test('across shards: a header per file, indexes within the file; stdin', async () => {
    const r = await runInProcess(['head', `${shards}shard-*`, '-n', '242']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.filter((l) => l.startsWith('==> ')), expected.files.map((f) => `==> ${shards}${f.name} <==`));
    const examples = lines.filter((l) => l.startsWith('#'));
    assert.equal(examples.length, 242);
    assert.match(examples[239]!, /^#239 /);
    assert.match(examples[241]!, /^#1 .*id=int64\[1\] 241/);
    const stdin = await runCli(['head', '-', '-n', '1'], { input: readFileSync(tf('pwnall-tfrecord__singles.tfrecords')) });
    assert.equal(stdin.stdout, '#0 int_feature=int64[1] 42\n');
    const zero = await runInProcess(['head', tf('pwnall-tfrecord__singles.tfrecords'), '-n', '0']);
    assert.deepEqual([zero.code, zero.stdout], [0, '']);
  });
});
