// The real TensorFlow-written files in golden/tf (see SOURCES.md there): framing,
// record counts, exact payloads where SOURCES.md lists them, Example and Event values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeEvent } from '../../src/io/events.js';
import { decodeExample } from '../../src/io/example.js';
import { readTFRecord } from '../../src/io/tfrecord-reader.js';
import { GOLDEN_TF_COUNTS as COUNTS } from './golden-tf-counts.js';
import { equalBytes } from './tfrecord-fixtures.js';

const DIR = fileURLToPath(new URL('../../golden/tf/', import.meta.url));

async function records(name: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const r of readTFRecord(join(DIR, name))) out.push(r);
  return out;
}

test('golden-tf: every file is present and reads with its record count (both CRCs checked)', async () => {
  for (const [name, n] of Object.entries(COUNTS)) {
    assert.ok(existsSync(join(DIR, name)), `${name} is missing`);
    assert.equal((await records(name)).length, n, name);
  }
});

test('golden-tf: payload sizes and exact bytes as SOURCES.md lists them', async () => {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  assert.deepEqual((await records('pwnall-tfrecord__singles.tfrecords')).map(hex), [
    '0a160a140a0b696e745f6665617475726512051a030a012a',
    '0a1b0a190a0d666c6f61745f66656174757265120812060a04c3f54840',
    '0a1b0a190a0c627974655f6665617475726512090a070a054041424344',
  ]);
  const wmt = (await records('lingvo__wmt14_ende_wpm_32k_test.tfrecord')).map((r) => r.length);
  assert.equal(Math.min(...wmt), 307);
  assert.equal(Math.max(...wmt), 2363);
  const dc = (await records('deepconsensus__human_1m_tf_examples_eval.tfrecord.gz')).map((r) => r.length);
  assert.equal(Math.min(...dc), 34745);
  assert.equal(Math.max(...dc), 35109);
  const ev = (await records('lingvo__events.out.tfevents.test')).map((r) => r.length);
  assert.equal(Math.min(...ev), 24);
  assert.equal(Math.max(...ev), 207);
  const fr = await records('lingvo__en_fr.tfrecord');
  assert.deepEqual(fr.map((r) => r.length), [56, 52]);
  assert.ok(Buffer.from(fr[0]!).includes('I love paragliding!'));
  // The gzip(1) file (FNAME header, non-zero mtime) gives the same records as the plain one.
  const bedPlain = await records('nucleus__test_regions.bed.tfrecord');
  const bedGz = await records('nucleus__test_regions.bed.tfrecord.gz');
  assert.deepEqual(bedPlain.map((r) => r.length), [62, 63]);
  assert.equal(hex(bedPlain[0]!.subarray(0, 6)), '0a0463687231');
  bedPlain.forEach((r, i) => assert.ok(equalBytes(r, bedGz[i]!)));
});

test('golden-tf: Example values decode as SOURCES.md lists them', async () => {
  const [r0, r1, r2] = (await records('pwnall-tfrecord__singles.tfrecords')).map(decodeExample);
  assert.deepEqual([...(r0!['int_feature'] as BigInt64Array)], [42n]);
  assert.deepEqual([...(r1!['float_feature'] as Float32Array)], [Math.fround(3.14)]);
  assert.deepEqual((r2!['byte_feature'] as Uint8Array[]).map((b) => [...b]), [[64, 65, 66, 67, 68]]);

  const wmt = (await records('lingvo__wmt14_ende_wpm_32k_test.tfrecord')).map(decodeExample);
  assert.deepEqual([...(wmt[0]!['source_id'] as BigInt64Array)].map(Number), [93, 15027, 643, 8, 2985, 3, 27025, 6, 4569, 2]);
  for (const ex of wmt) {
    assert.equal(Object.keys(ex).length, 10);
    assert.ok(ex['source_padding'] instanceof Float32Array);
    assert.ok(Array.isArray(ex['target_word']));
  }

  const dc = (await records('deepconsensus__human_1m_tf_examples_eval.tfrecord.gz')).map(decodeExample);
  assert.equal(new TextDecoder().decode((dc[0]!['name'] as Uint8Array[])[0]), 'm54238_180901_011437/4194377/ccs');
  assert.deepEqual([...(dc[0]!['subreads/shape'] as BigInt64Array)], [85n, 100n, 1n]);
  let negatives = 0;
  for (const ex of dc) {
    assert.equal((ex['subreads/encoded'] as Uint8Array[])[0]!.length, 34000);
    for (const v of ex['ccs_base_quality_scores'] as BigInt64Array) if (v === -1n) negatives++;
  }
  assert.equal(negatives, 40);
});

test('golden-tf: TensorBoard Event files decode as SOURCES.md lists them', async () => {
  const lingvo = (await records('lingvo__events.out.tfevents.test')).map(decodeEvent);
  assert.equal(lingvo[0]!.fileVersion, 'brain.Event:2');
  assert.equal(lingvo[0]!.wallTime, 1534577086);
  const tags = ['bleu/dev', 'brevity_penalty/dev', 'bleu/split:dev', 'brevity_penalty/split:dev', 'log_perplexity/dev', 'log_perplexity/split:dev', 'runtime/sentence/sec'];
  const summaries = lingvo.slice(1);
  assert.equal(summaries.length, 360);
  for (const e of summaries) {
    assert.deepEqual(new Set(e.summary!.map((v) => v.tag)), new Set(tags));
    assert.ok(e.summary!.every((v) => typeof v.simpleValue === 'number'));
  }
  const steps = lingvo.map((e) => e.step); // "0 to 185200": 0 is the file_version event's
  assert.equal(Math.min(...steps), 0);
  assert.equal(Math.max(...steps), 185200);
  const last = summaries[summaries.length - 1]!;
  assert.equal(last.step, 185200);
  assert.equal(last.summary!.find((v) => v.tag === 'bleu/dev')!.simpleValue, 0.2852171063423157);

  const tb = (await records('tensorboard__end_to_end.tfevents')).map(decodeEvent);
  assert.equal(tb[0]!.fileVersion, 'brain.Event:2');
  assert.equal(tb[0]!.wallTime, 1553644433);
  const rest = tb.slice(1);
  assert.equal(rest.length, 24);
  assert.ok(rest.every((e) => e.step === 0 && e.summary!.length === 1 && typeof e.summary![0]!.simpleValue === 'number'));
  const distinct = new Set(rest.map((e) => e.summary![0]!.tag));
  assert.equal(distinct.size, 12);
  for (const t of ['profile/train_begin', 'profile/model_fn_begin', 'profile/setup_infeed_end', 'profile/predict_end']) assert.ok(distinct.has(t), t);
});
