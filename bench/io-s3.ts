// bench:io, object storage: the same TFRecord shards read from a local S3-protocol server
// (s3rver on 127.0.0.1, the tests' server, without faults) and from disk, with numParallelReads
// 1 and 4, in the shared harness's rotating rounds (medians, spreads, per-round ratios against
// disk with one reader). s3rver runs on this machine's cores, so those rows show the client
// path, not a store; two more rows pace every response at S3_PACE_MBPS MB/s (default 50; a
// real store's throughput per connection is of that order), where numParallelReads 4 can show
// what it is for. Then the memory bound: a large object (S3_RSS_MB, default 600) read in a fresh
// process whose peak RSS (the kernel's maxrss) must stay under 200 MB. S3_SHARDS / S3_SHARD_MB /
// S3_ROUNDS size the comparison; S3_PACE_MBPS=0 drops the paced rows, S3_RSS_MB=0 the memory check.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Random } from '../src/core/random.js';
import { loadavg } from 'node:os';
import { readTFRecord } from '../src/io/tfrecord-reader.js';
import { writeTFRecord } from '../src/io/tfrecord-writer.js';
import { putObjectBytes } from '../src/storage/objects.js';
import { uploadFile } from '../src/cli/remote-staging.js';
import { NO_FAULTS, startS3 } from '../test/storage/s3-harness.js';
import { pairedRatios, report, roundRobin, spread, type Side, type SideSamples } from './rounds.js';

const SHARDS = Number(process.env['S3_SHARDS'] ?? 4);
const SHARD_MB = Number(process.env['S3_SHARD_MB'] ?? 32);
const ROUNDS = Number(process.env['S3_ROUNDS'] ?? 5);
const RSS_MB = Number(process.env['S3_RSS_MB'] ?? 600);
const PACE_MBPS = Number(process.env['S3_PACE_MBPS'] ?? 50);
const RSS_BOUND_MB = 200;

/** Writes a shard of about `mb` MB of 4 KiB–64 KiB records. */
async function writeShard(path: string, mb: number, seed: number): Promise<number> {
  const rng = new Random(seed);
  const records: Uint8Array[] = [];
  for (let total = 0; total < mb << 20; ) {
    const r = new Uint8Array(4096 + rng.int(61_440));
    for (let k = 0; k < r.length; k += 512) r[k] = rng.int(256);
    records.push(r);
    total += r.length;
  }
  await writeTFRecord(path, records);
  return records.length;
}

async function count(files: string[], numParallelReads: number): Promise<number> {
  let n = 0;
  for await (const _ of readTFRecord(files, { numParallelReads })) n++;
  return n;
}

/** How many times faster `side` ran than `baseline`, round by round. */
function speedup(results: SideSamples[], side: string, baseline: string): string {
  const a = results.find((r) => r.name === side)!;
  const b = results.find((r) => r.name === baseline)!;
  const q = spread(pairedRatios(a, b, 'ms').map((x) => 1 / x));
  return `${q.median.toFixed(2)}x (rounds ${q.min.toFixed(2)}–${q.max.toFixed(2)})`;
}

/** Peak RSS of a fresh process that reads the object `url` to its end. */
function rssOfRead(url: string, env: NodeJS.ProcessEnv): Promise<string> {
  const reader = fileURLToPath(new URL('./s3-rss-reader.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', reader, url], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`the reader exited with ${code}: ${out.trim()}`))));
  });
}

/** The object-storage part of bench:io, in `dir` (a scratch directory). */
export async function s3Bench(dir: string): Promise<void> {
  console.log(`\nobject storage: ${SHARDS} shards of ~${SHARD_MB} MB from s3rver on 127.0.0.1 against the same files on disk`);
  console.log('  (s3rver is a JavaScript server on this machine, sharing its 2 cores: the ratios show the client path, not a real store)');
  console.log(`  (shared machine: load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the start)`);
  const s3 = await startS3(['bench']);
  try {
    const files: string[] = [];
    const urls: string[] = [];
    let records = 0;
    for (let s = 0; s < SHARDS; s++) {
      const name = `train-${String(s).padStart(5, '0')}-of-${String(SHARDS).padStart(5, '0')}.tfr`;
      const path = join(dir, name);
      records += await writeShard(path, SHARD_MB, s + 1);
      await putObjectBytes(`s3://bench/shards/${name}`, readFileSync(path));
      files.push(path);
      urls.push(`s3://bench/shards/${name}`);
    }
    const plain = (): void => void (s3.faults = { ...NO_FAULTS });
    const paced = (): void => void (s3.faults = { ...NO_FAULTS, bytesPerSecond: PACE_MBPS * 1e6 });
    const sides: Side<number>[] = [
      { name: 'disk, numParallelReads 1', run: () => count(files, 1) },
      { name: 'disk, numParallelReads 4', run: () => count(files, 4) },
      { name: 's3, numParallelReads 1', setup: plain, run: () => count(urls, 1) },
      { name: 's3, numParallelReads 4', setup: plain, run: () => count(urls, 4) },
      ...(PACE_MBPS > 0
        ? [
            { name: `s3 at ${PACE_MBPS} MB/s/conn, numParallelReads 1`, setup: paced, run: () => count(urls, 1) },
            { name: `s3 at ${PACE_MBPS} MB/s/conn, numParallelReads 4`, setup: paced, run: () => count(urls, 4) },
          ]
        : []),
    ];
    const results = await roundRobin(sides, {
      rounds: ROUNDS,
      check: (side, n) => {
        if (n !== records) throw new Error(`${side} read ${n} records, not ${records}`);
      },
    });
    const mb = (SHARDS * SHARD_MB * 1.048576);
    console.log(`  ${records} records, ${ROUNDS} rounds after a warm-up, in rotating order; time per pass (${mb.toFixed(0)} MB):`);
    for (const line of report(results, { baseline: 'disk, numParallelReads 1', unit: 'ms' })) console.log(`    ${line}`);
    s3.faults = { ...NO_FAULTS };
    console.log(`  numParallelReads 4 against 1, same round: disk ${speedup(results, 'disk, numParallelReads 4', 'disk, numParallelReads 1')} as fast,` +
      ` s3 ${speedup(results, 's3, numParallelReads 4', 's3, numParallelReads 1')}` +
      (PACE_MBPS > 0 ? `, paced s3 ${speedup(results, `s3 at ${PACE_MBPS} MB/s/conn, numParallelReads 4`, `s3 at ${PACE_MBPS} MB/s/conn, numParallelReads 1`)}` : ''));
    console.log(`  (load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')})`);

    if (RSS_MB > 0) {
      console.log(`\nmemory: one ${RSS_MB} MB object read to its end in a fresh process (bound < ${RSS_BOUND_MB} MB RSS)`);
      const big = join(dir, 'big.tfr');
      await writeShard(big, RSS_MB, 99);
      await uploadFile(big, 's3://bench/big.tfr');
      console.log(`  ${await rssOfRead('s3://bench/big.tfr', s3.env)}`);
    }
  } finally {
    await s3.close();
  }
}
