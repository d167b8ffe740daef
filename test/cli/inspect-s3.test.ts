// count, schema and head on s3:// objects and patterns, against the local S3-protocol server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { putObjectBytes } from '../../src/storage/objects.js';
import { startS3, type S3Harness } from '../storage/s3-harness.js';
import { runCli } from './helpers.js';

const shards = fileURLToPath(new URL('../../golden/inspect/', import.meta.url));
const expected = JSON.parse(readFileSync(`${shards}expected.json`, 'utf8')) as { files: { name: string; records: number }[] };
let s3: S3Harness;

before(async () => {
  s3 = await startS3(['data']);
  for (const f of expected.files) await putObjectBytes(`s3://data/inspect/${f.name}`, readFileSync(shards + f.name));
});
after(() => s3.close());

test('count, schema and head read s3:// patterns as they read local shards', async () => {
  const env = s3.env as Record<string, string>;
  const count = await runCli(['count', 's3://data/inspect/shard-*', '--json'], { env });
  assert.equal(count.code, 0, count.stderr);
  assert.deepEqual(JSON.parse(count.stdout), { files: expected.files.map((f) => ({ path: `s3://data/inspect/${f.name}`, records: f.records })), total: 400 });
  const local = await runCli(['schema', `${shards}shard-*`, '--json']);
  const remote = await runCli(['schema', 's3://data/inspect/shard-*', '--json'], { env });
  assert.equal(remote.code, 0, remote.stderr);
  assert.deepEqual(JSON.parse(remote.stdout), JSON.parse(local.stdout));
  const head = await runCli(['head', `s3://data/inspect/${expected.files[1]!.name}`, '-n', '1'], { env });
  assert.match(head.stdout, /^#0 .*id=int64\[1\] 240/);
  const missing = await runCli(['count', 's3://data/inspect/nothing.tfrecord'], { env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /s3:\/\/data\/inspect\/nothing\.tfrecord: no such object/);
});
