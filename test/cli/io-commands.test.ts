// cat, pack, verify, index and diff, run as a user runs them, on TensorFlow-written golden files.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { errorLines, runCli } from './helpers.js';

const GOLDEN = '/work/shared/golden-tf';
const WMT = join(GOLDEN, 'lingvo__wmt14_ende_wpm_32k_test.tfrecord');
const SINGLES = join(GOLDEN, 'pwnall-tfrecord__singles.tfrecords');
const DEEPC = join(GOLDEN, 'deepconsensus__human_1m_tf_examples_eval.tfrecord.gz');
const tmp = mkdtempSync(join(tmpdir(), 'recordflow-cli-io-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Record boundaries by reading the framing directly (independent of our reader). */
function frames(bytes: Buffer): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  let at = 0;
  while (at < bytes.length) {
    const len = Number(bytes.readBigUInt64LE(at));
    out.push({ offset: at, length: len });
    at += 16 + len;
  }
  return out;
}

function plain(path: string): Buffer {
  const b = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(b) : b;
}

describe('cat and pack', { concurrency: 2 }, () => {
  for (const file of [SINGLES, WMT, DEEPC]) {
    test(`cat --json | pack - gives the same bytes: ${file.split('/').pop()}`, async () => {
      const c = await runCli(['cat', '--json', file]);
      assert.equal(c.code, 0, c.stderr);
      const lines = c.stdout.trimEnd().split('\n');
      assert.equal(lines.length, frames(plain(file)).length);
      const out = join(tmp, file.split('/').pop()!);
      const p = await runCli(['pack', '-', out], { input: c.stdout });
      assert.equal(p.code, 0, p.stderr);
      assert.ok(plain(out).equals(plain(file)), 'decompressed bytes are identical');
    });
  }

  test('cat --json prints the canonical JSON mapping', async () => {
    const c = await runCli(['cat', '--json', SINGLES]);
    assert.deepEqual(c.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)), [
      { features: { feature: { int_feature: { int64List: { value: ['42'] } } } } },
      { features: { feature: { float_feature: { floatList: { value: [3.14] } } } } },
      { features: { feature: { byte_feature: { bytesList: { value: ['QEFCQ0Q='] } } } } },
    ]);
  });

  test('cat without --json prints a readable line per record', async () => {
    const c = await runCli(['cat', SINGLES]);
    assert.equal(c.code, 0);
    assert.deepEqual(c.stdout.trimEnd().split('\n'), ['#0 int_feature=int64[1] 42', '#1 float_feature=float[1] 3.14', '#2 byte_feature=bytes[1] "@ABCD"']);
  });

  for (const name of ['lingvo__en_fr.tfrecord', 'nucleus__test_regions.bed.tfrecord.gz', 'lingvo__events.out.tfevents.test']) {
    test(`cat --raw | pack --raw round-trips non-Example records: ${name}`, async () => {
      const file = join(GOLDEN, name);
      const c = await runCli(['cat', '--raw', file]);
      assert.equal(c.code, 0, c.stderr);
      const out = join(tmp, `raw-${name}`);
      const p = await runCli(['pack', '--raw', '-', out], { input: c.stdout });
      assert.equal(p.code, 0, p.stderr);
      assert.ok(plain(out).equals(plain(file)));
    });
  }

  test('pack: a bad line is exit 2 with one line naming the input and line, and no output file', async () => {
    const input = join(tmp, 'bad.jsonl');
    writeFileSync(input, '{"features":{"feature":{"x":{"floatList":{"value":[1]}}}}}\n{"features": nope}\n');
    const dir = join(tmp, 'badpack');
    mkdirSync(dir);
    const outFile = join(dir, 'never.tfrecord');
    const p = await runCli(['pack', input, outFile]);
    assert.equal(p.code, 2);
    const lines = errorLines(p.stderr);
    assert.equal(lines.length, 1, p.stderr);
    assert.match(lines[0]!, /^recordflow pack: .*bad\.jsonl.*line 2/);
    assert.deepEqual(readdirSync(dir), [], 'nothing half-written');
  });
});

describe('corrupt files', { concurrency: 2 }, () => {
  const bytes = readFileSync(WMT);
  const f = frames(bytes);
  const corrupt = Buffer.from(bytes);
  corrupt[f[5]!.offset + 12 + 10]! ^= 0xff; // a data byte of record 5
  const corruptPath = join(tmp, 'corrupt.tfrecord');
  writeFileSync(corruptPath, corrupt);
  const truncatedPath = join(tmp, 'truncated.tfrecord');
  writeFileSync(truncatedPath, bytes.subarray(0, f[7]!.offset + 20));

  test('cat prints the records before the error, then the error on stderr, exit 1', async () => {
    const c = await runCli(['cat', '--json', corruptPath]);
    assert.equal(c.code, 1);
    assert.equal(c.stdout.trimEnd().split('\n').length, 5);
    const lines = errorLines(c.stderr);
    assert.equal(lines.length, 1, c.stderr);
    assert.match(lines[0]!, /corrupt\.tfrecord.*record 5/);
    assert.doesNotMatch(c.stderr, /\n\s+at /, 'no stack trace');
  });

  test('verify: exit 1 on a bad file, the good ones still counted', async () => {
    const v = await runCli(['verify', WMT, truncatedPath]);
    assert.equal(v.code, 1);
    assert.match(v.stdout, /wmt14_ende_wpm_32k_test\.tfrecord: OK, 100 records/);
    assert.match(errorLines(v.stderr).join('\n'), /truncated\.tfrecord.*truncated.*record 7/);
  });

  test('verify --json --examples on good files', async () => {
    const v = await runCli(['verify', '--json', '--examples', WMT, DEEPC]);
    assert.equal(v.code, 0, v.stderr);
    const rows = v.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => [r.ok, r.records]), [[true, 100], [true, 65]]);
  });

  test('verify --examples fails on records that are not Examples', async () => {
    const v = await runCli(['verify', '--examples', join(GOLDEN, 'lingvo__en_fr.tfrecord')]);
    assert.equal(v.code, 1);
    assert.match(v.stderr, /record 0 is not a tf\.train\.Example/);
  });

  test('missing file: exit 2, one line, no stack', async () => {
    for (const args of [['cat', join(tmp, 'nope.tfrecord')], ['verify', join(tmp, 'nope.tfrecord')], ['diff', WMT, join(tmp, 'nope')]]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, new RegExp(`^recordflow ${args[0]}: .*nope.*: no such file or directory$`));
    }
  });
});

describe('index and diff', { concurrency: 2 }, () => {
  test('index writes FILE.idx with the offset and length of every record', async () => {
    const copy = join(tmp, 'wmt.tfrecord');
    writeFileSync(copy, readFileSync(WMT));
    const r = await runCli(['index', copy]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wmt\.tfrecord\.idx: 100 records/);
    const expected = frames(readFileSync(WMT)).map((x) => `${x.offset} ${x.length + 16}`);
    const got = readFileSync(`${copy}.idx`, 'utf8').trimEnd().split('\n');
    assert.equal(got.length, 100);
    // Offsets are the record starts; the length column is the whole framed record or the
    // payload, depending on convention: accept either, but the offsets must match exactly.
    assert.deepEqual(got.map((l) => l.split(' ')[0]), expected.map((l) => l.split(' ')[0]));
  });

  test('diff: same files exit 0; a changed value names record, feature and value; exit 1', async () => {
    const same = await runCli(['diff', WMT, WMT]);
    assert.equal(same.code, 0);
    assert.match(same.stdout, /same: 100 records/);

    const c = await runCli(['cat', '--json', WMT]);
    const lines = c.stdout.trimEnd().split('\n');
    const rec = JSON.parse(lines[3]!);
    rec.features.feature.source_id.int64List.value[2] = '424242';
    lines[3] = JSON.stringify(rec);
    const changed = join(tmp, 'changed.tfrecord');
    const p = await runCli(['pack', '-', changed], { input: lines.join('\n') + '\n' });
    assert.equal(p.code, 0, p.stderr);
    const d = await runCli(['diff', WMT, changed]);
    assert.equal(d.code, 1);
    assert.match(d.stdout, /record 3, feature "source_id": value \[2\]: \d+ in A, 424242 in B/);

    const j = await runCli(['diff', '--json', WMT, changed]);
    const parsed = JSON.parse(j.stdout);
    assert.equal(parsed.same, false);
    assert.equal(parsed.record, 3);
    assert.equal(parsed.feature, 'source_id');

    const short = join(tmp, 'short.tfrecord');
    const p2 = await runCli(['pack', '-', short], { input: c.stdout.split('\n').slice(0, 40).join('\n') });
    assert.equal(p2.code, 0, p2.stderr);
    const d2 = await runCli(['diff', WMT, short]);
    assert.equal(d2.code, 1);
    assert.match(d2.stdout, /record 40: B ends after 40 records/);
  });
});
