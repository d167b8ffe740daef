// cat, pack, verify, index and diff, run as a user runs them, on TensorFlow-written golden files.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { errorLines, ROOT, runCli, runInProcess } from './helpers.js';

const GOLDEN = fileURLToPath(new URL('../../golden/tf/', import.meta.url));
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

/** `cat --raw` output expected for an uncompressed TFRecord, from its framing read directly. */
function rawLines(bytes: Buffer): string[] {
  return frames(bytes).map((f) => bytes.subarray(f.offset + 12, f.offset + 12 + f.length).toString('base64'));
}

function plain(path: string): Buffer {
  const b = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(b) : path.endsWith('.zz') ? inflateSync(b) : b;
}

describe('cat and pack', { concurrency: 2 }, () => {
  test('cat --json | pack - gives the same bytes for a deterministically written file', async () => {
    const c = await runCli(['cat', '--json', SINGLES]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.trimEnd().split('\n').length, 3);
    const out = join(tmp, 'singles.tfrecord');
    const p = await runCli(['pack', '-', out], { input: c.stdout });
    assert.equal(p.code, 0, p.stderr);
    assert.ok(readFileSync(out).equals(readFileSync(SINGLES)));
  });

  for (const file of [WMT, DEEPC]) {
    // These were not serialized deterministically (map keys in insertion order), so pack gives
    // the canonical encoding: the same Examples, keys sorted; packing that again is a fixed point.
    test(`cat --json | pack keeps every Example of ${file.split('/').pop()}, canonically encoded`, async () => {
      const c = await runInProcess(['cat', '--json', file]);
      assert.equal(c.code, 0, c.stderr);
      const lines = c.stdout.trimEnd().split('\n');
      assert.equal(lines.length, frames(plain(file)).length);
      const jsonl = join(tmp, `${file.split('/').pop()}.jsonl`);
      writeFileSync(jsonl, c.stdout);
      const out = join(tmp, file.split('/').pop()!);
      assert.equal((await runInProcess(['pack', jsonl, out])).code, 0);
      const again = await runInProcess(['cat', '--json', out]);
      assert.deepEqual(again.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)), lines.map((l) => JSON.parse(l)));
      writeFileSync(`${jsonl}.2`, again.stdout);
      const out2 = join(tmp, `2-${file.split('/').pop()!}`);
      assert.equal((await runInProcess(['pack', `${jsonl}.2`, out2])).code, 0);
      assert.ok(plain(out2).equals(plain(out)), 'canonical bytes are a fixed point');
      const d = await runInProcess(['diff', file, out]);
      assert.equal(d.code, 1);
      assert.match(d.stdout, /^differ at record 0: same features, different encoding/);
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
    const c = await runInProcess(['cat', SINGLES]);
    assert.equal(c.code, 0);
    assert.deepEqual(c.stdout.trimEnd().split('\n'), ['#0 int_feature=int64[1] 42', '#1 float_feature=float[1] 3.14', '#2 byte_feature=bytes[1] "@ABCD"']);
  });

  test('cat: a record that is not an Example after good ones: those printed, the error on stderr, exit 2', async () => {
    // Three TensorFlow-written Examples, then the first record of a file of other protos.
    const other = readFileSync(join(GOLDEN, 'lingvo__en_fr.tfrecord'));
    const first = frames(other)[0]!;
    const mixed = join(tmp, 'mixed.tfrecord');
    writeFileSync(mixed, Buffer.concat([readFileSync(SINGLES), other.subarray(0, 16 + first.length)]));
    const good = await runInProcess(['cat', '--json', SINGLES]);
    for (const json of [true, false]) {
      const c = await runInProcess(['cat', ...(json ? ['--json'] : []), mixed]);
      assert.equal(c.code, 2, c.stderr);
      if (json) assert.equal(c.stdout, good.stdout);
      else assert.equal(c.stdout.trimEnd().split('\n').length, 3);
      const lines = errorLines(c.stderr);
      assert.equal(lines.length, 1, c.stderr);
      assert.match(lines[0]!, /^recordflow cat: .*mixed\.tfrecord.*record 3 is not a tf\.train\.Example/);
    }
  });

  test('cat --compression reads a file with no suffix compressed; without it the bytes are bad framing', async () => {
    const expected = rawLines(readFileSync(join(ROOT, 'golden/tfrecord/plain.tfrecord')));
    for (const [name, kind] of [['gzip.tfrecord.gz', 'gzip'], ['zlib.tfrecord.zz', 'zlib']] as const) {
      const bare = join(tmp, `${kind}-no-suffix`);
      writeFileSync(bare, readFileSync(join(ROOT, 'golden/tfrecord', name)));
      const c = await runInProcess(['cat', '--raw', '--compression', kind, bare]);
      assert.equal(c.code, 0, c.stderr);
      assert.deepEqual(c.stdout.trimEnd().split('\n'), expected, kind);
      const guessed = await runInProcess(['cat', '--raw', bare]);
      assert.equal(guessed.code, 2, `${kind} bytes read as none`);
      assert.match(guessed.stderr, /length_crc_mismatch at record 0, offset 0/);
    }
  });

  test('cat takes a .gzip name as gzip, as the library does', async () => {
    const named = join(tmp, 'named.tfrecord.GZIP');
    writeFileSync(named, readFileSync(join(ROOT, 'golden/tfrecord/gzip.tfrecord.gz')));
    const c = await runInProcess(['cat', '--raw', named]);
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(c.stdout.trimEnd().split('\n'), rawLines(readFileSync(join(ROOT, 'golden/tfrecord/plain.tfrecord'))));
  });

  const RAW = [
    join(GOLDEN, 'lingvo__en_fr.tfrecord'),
    join(GOLDEN, 'nucleus__test_regions.bed.tfrecord.gz'),
    join(GOLDEN, 'lingvo__events.out.tfevents.test'),
    join(ROOT, 'golden/tfrecord/plain.tfrecord'),
    join(ROOT, 'golden/tfrecord/zlib.tfrecord.zz'),
  ].filter((f) => existsSync(f));
  test('cat --raw | pack --raw - round-trips non-Example records (spawned, through stdin)', async () => {
    const file = RAW[0]!;
    const c = await runCli(['cat', '--raw', file]);
    assert.equal(c.code, 0, c.stderr);
    const out = join(tmp, 'raw-stdin.tfrecord');
    const p = await runCli(['pack', '--raw', '-', out], { input: c.stdout });
    assert.equal(p.code, 0, p.stderr);
    assert.ok(readFileSync(out).equals(readFileSync(file)));
  });
  test('cat --raw | pack --raw round-trips event files, gzip, zlib and python-written golden files', async () => {
    for (const file of RAW) {
      const c = await runInProcess(['cat', '--raw', file]);
      assert.equal(c.code, 0, c.stderr);
      const name = file.split('/').pop()!;
      writeFileSync(join(tmp, `${name}.b64`), c.stdout);
      const out = join(tmp, `raw-${name}`);
      const p = await runInProcess(['pack', '--raw', join(tmp, `${name}.b64`), out]);
      assert.equal(p.code, 0, p.stderr);
      assert.ok(plain(out).equals(plain(file)), name);
    }
  });

  test('pack: a bad line is exit 2 with one line naming the input and line, and no output file', async () => {
    const input = join(tmp, 'bad.jsonl');
    writeFileSync(input, '{"features":{"feature":{"x":{"floatList":{"value":[1]}}}}}\n{"features": nope}\n');
    const dir = join(tmp, 'badpack');
    mkdirSync(dir);
    const outFile = join(dir, 'never.tfrecord');
    const p = await runInProcess(['pack', input, outFile]);
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

  test('cat prints the records before the error, then the error on stderr, exit 2', async () => {
    const c = await runCli(['cat', '--json', corruptPath]);
    assert.equal(c.code, 2);
    assert.equal(c.stdout.trimEnd().split('\n').length, 5);
    const lines = errorLines(c.stderr);
    assert.equal(lines.length, 1, c.stderr);
    assert.match(lines[0]!, /corrupt\.tfrecord.*record 5/);
    assert.doesNotMatch(c.stderr, /\n\s+at /, 'no stack trace');
  });

  test('verify: exit 2 on a bad file, the good ones still counted', async () => {
    const v = await runInProcess(['verify', WMT, truncatedPath]);
    assert.equal(v.code, 2);
    assert.match(v.stdout, /wmt14_ende_wpm_32k_test\.tfrecord: OK, 100 records/);
    assert.match(errorLines(v.stderr).join('\n'), /truncated\.tfrecord.*truncated.*record 7/);
  });

  test('verify --json --examples on good files', async () => {
    const v = await runInProcess(['verify', '--json', '--examples', WMT, DEEPC]);
    assert.equal(v.code, 0, v.stderr);
    const rows = v.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => [r.ok, r.records]), [[true, 100], [true, 65]]);
  });

  test('verify --examples fails on records that are not Examples', async () => {
    const v = await runInProcess(['verify', '--examples', join(GOLDEN, 'lingvo__en_fr.tfrecord')]);
    assert.equal(v.code, 2);
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
    const r = await runInProcess(['index', copy]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wmt\.tfrecord\.idx: 100 records/);
    // vahidk/tfrecord's convention: the record's start and its whole framed length (16 + payload).
    const expected = frames(readFileSync(WMT)).map((x) => `${x.offset} ${x.length + 16}`);
    assert.equal(expected.length, 100);
    assert.equal(readFileSync(`${copy}.idx`, 'utf8'), expected.map((l) => `${l}\n`).join(''));
  });

  test('diff: same files exit 0; a changed value names record, feature and value; exit 1', async () => {
    const same = await runInProcess(['diff', WMT, WMT]);
    assert.equal(same.code, 0);
    assert.match(same.stdout, /same: 100 records/);

    const c = await runInProcess(['cat', '--json', WMT]);
    const lines = c.stdout.trimEnd().split('\n');
    const base = join(tmp, 'base.tfrecord');
    writeFileSync(join(tmp, 'base.jsonl'), c.stdout);
    assert.equal((await runInProcess(['pack', join(tmp, 'base.jsonl'), base])).code, 0);
    const rec = JSON.parse(lines[3]!);
    rec.features.feature.source_id.int64List.value[2] = '424242';
    lines[3] = JSON.stringify(rec);
    writeFileSync(join(tmp, 'changed.jsonl'), lines.join('\n') + '\n');
    const changed = join(tmp, 'changed.tfrecord');
    assert.equal((await runInProcess(['pack', join(tmp, 'changed.jsonl'), changed])).code, 0);
    const d = await runInProcess(['diff', base, changed]);
    assert.equal(d.code, 1);
    assert.match(d.stdout, /^differ at record 3, feature "source_id": value \[2\]: 15027 in A, 424242 in B$/m);

    const j = await runInProcess(['diff', '--json', base, changed]);
    const parsed = JSON.parse(j.stdout);
    assert.deepEqual([parsed.same, parsed.record, parsed.feature], [false, 3, 'source_id']);

    writeFileSync(join(tmp, 'short.jsonl'), c.stdout.trimEnd().split('\n').slice(0, 40).join('\n'));
    const short = join(tmp, 'short.tfrecord');
    assert.equal((await runInProcess(['pack', join(tmp, 'short.jsonl'), short])).code, 0);
    const d2 = await runInProcess(['diff', base, short]);
    assert.equal(d2.code, 1);
    assert.match(d2.stdout, /record 40: B ends after 40 records/);
  });
});

describe('python-written damaged files (golden/tfrecord/manifest.json)', () => {
  const manifestPath = join(ROOT, 'golden/tfrecord/manifest.json');
  const manifest = existsSync(manifestPath)
    ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, { error?: { kind: string; recordIndex: number; offset: number }; records: number[] }> }).files
    : {};
  test('cat prints the records before the damage, then one error line, exit 2', async () => {
    const damaged = Object.entries(manifest).filter(([, m]) => m.error);
    assert.ok(damaged.length >= 10, 'the io room ships damaged golden files, compressed ones too');
    for (const [name, m] of damaged) {
      const r = await runInProcess(['cat', '--raw', join(ROOT, 'golden/tfrecord', name)]);
      assert.equal(r.code, 2, name);
      const printed = r.stdout === '' ? 0 : r.stdout.replace(/\n$/, '').split('\n').length;
      assert.equal(printed, m.records.length, name);
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      const where = `${m.error!.kind} at record ${m.error!.recordIndex}, offset ${m.error!.offset}\\b`;
      assert.match(lines[0]!, new RegExp(`^recordflow cat: .*${name.replace(/\./g, '\\.')}.*${where}`));
    }
  });
});
