// `tsx bench/npz.ts`: load time and peak memory of one reference-like .npz (images and filters
// uint8 (N,24,32), numbers int64 (N,), coordinates int64 (N,3,8), written by numpy.savez) with
// recordflow's readNpz, jszip + npyjs, and numpy itself. A script, not a timed test.
//
// Every load runs in a fresh child process, so each reader's peak RSS is its own (Node:
// process.resourceUsage().maxRSS; Python: resource.getrusage). Times are the median of REPS
// children; the figure includes reading the file but not process start-up.
//
// Env: NPZ_MB (approximate file size in MB, default 200), REPS (children per reader, default 3).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { parse as parseNpy } from 'npyjs';
import { readNpz } from '../src/io/npz.js';

const PYTHON = '/usr/bin/python3';
const NPZ_MB = Number(process.env['NPZ_MB'] ?? 200);
const REPS = Number(process.env['REPS'] ?? 3);
/** Bytes per row across the four arrays: 768 + 768 + 8 + 3*8*8. */
const ROW_BYTES = 24 * 32 * 2 + 8 + 3 * 8 * 8;

type Reader = 'recordflow' | 'jszip+npyjs' | 'numpy';
interface Measure {
  seconds: number;
  maxRssKb: number;
}

/** A value from every array, so that no reader can skip materialising one. */
function touch(values: ArrayLike<number | bigint>[]): number {
  let n = 0;
  for (const v of values) if (v.length > 0) n += Number(v[0]) + Number(v[v.length - 1]);
  return n;
}

async function loadRecordflow(path: string): Promise<number> {
  const arrays = await readNpz(path);
  return touch(Object.values(arrays).map((a) => a.data));
}

async function loadJszipNpyjs(path: string): Promise<number> {
  const zip = await JSZip.loadAsync(await readFile(path));
  const values: ArrayLike<number | bigint>[] = [];
  for (const file of Object.values(zip.files)) {
    if (!file.name.endsWith('.npy')) continue;
    const bytes = await file.async('uint8array');
    // npyjs parses one whole ArrayBuffer as one .npy, so the member's bytes must be exactly that.
    const exact =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? (bytes.buffer as ArrayBuffer)
        : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    values.push(parseNpy(exact).data as unknown as ArrayLike<number | bigint>);
  }
  return touch(values);
}

const PY_LOAD = `
import json, resource, sys, time
import numpy as np
t0 = time.perf_counter()
with np.load(sys.argv[1]) as f:
    arrays = [f[k] for k in f.files]
total = sum(int(a.flat[0]) + int(a.flat[-1]) for a in arrays if a.size)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`;

const PY_IDLE = `
import json, resource
import numpy as np
print(json.dumps({"seconds": 0, "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`;

const PY_WRITE = `
import sys
import numpy as np
n = int(sys.argv[2])
rng = np.random.default_rng(7)
np.savez(sys.argv[1],
    images=rng.integers(0, 256, size=(n, 24, 32), dtype=np.uint8),
    filters=rng.integers(0, 2, size=(n, 24, 32), dtype=np.uint8),
    numbers=rng.integers(0, 10, size=(n,), dtype=np.int64),
    coordinates=rng.integers(0, 32, size=(n, 3, 8), dtype=np.int64))
`;

function runChild(command: string, args: string[]): Measure {
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`${command} ${args.slice(0, 2).join(' ')} failed: ${child.stderr}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Measure;
}

function measure(reader: Reader | 'node-idle' | 'python-idle', path: string): Measure {
  if (reader === 'numpy') return runChild(PYTHON, ['-c', PY_LOAD, path]);
  if (reader === 'python-idle') return runChild(PYTHON, ['-c', PY_IDLE]);
  return runChild(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', reader, path]);
}

/** Child side: one load, then its time and this process's peak RSS as one JSON line. */
async function child(reader: string, path: string): Promise<void> {
  const t0 = performance.now();
  if (reader === 'recordflow') await loadRecordflow(path);
  else if (reader === 'jszip+npyjs') await loadJszipNpyjs(path);
  else if (reader !== 'node-idle') throw new Error(`unknown reader ${reader}`);
  const seconds = reader === 'node-idle' ? 0 : (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, maxRssKb: process.resourceUsage().maxRSS }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const rows = Math.max(1, Math.round((NPZ_MB * 1e6) / ROW_BYTES));
  const dir = mkdtempSync(join(tmpdir(), 'recordflow-npz-bench-'));
  try {
    const path = join(dir, 'reference.npz');
    const write = spawnSync(PYTHON, ['-c', PY_WRITE, path, String(rows)], { encoding: 'utf8' });
    if (write.status !== 0) throw new Error(`numpy write failed: ${write.stderr}`);
    const fileMb = statSync(path).size / 1e6;
    console.log(`npz: ${rows} rows, ${fileMb.toFixed(1)} MB (np.savez, uncompressed), median of ${REPS} fresh processes each`);

    const idleNode = measure('node-idle', path).maxRssKb / 1024;
    const idlePython = measure('python-idle', path).maxRssKb / 1024;
    const readers: Reader[] = ['recordflow', 'jszip+npyjs', 'numpy'];
    const results = new Map<Reader, { seconds: number; rssMb: number }>();
    for (const reader of readers) {
      const runs: Measure[] = [];
      for (let i = 0; i < REPS; i++) runs.push(measure(reader, path));
      results.set(reader, {
        seconds: median(runs.map((r) => r.seconds)),
        rssMb: median(runs.map((r) => r.maxRssKb)) / 1024,
      });
    }

    const ours = results.get('recordflow')!;
    console.log('');
    console.log('reader        seconds   peak RSS MB   RSS/file   recordflow time ratio   recordflow RSS ratio');
    for (const reader of readers) {
      const r = results.get(reader)!;
      console.log(
        `${reader.padEnd(12)}  ${r.seconds.toFixed(3).padStart(7)}   ${r.rssMb.toFixed(0).padStart(11)}   ${(r.rssMb / fileMb)
          .toFixed(2)
          .padStart(8)}   ${(ours.seconds / r.seconds).toFixed(2).padStart(21)}   ${(ours.rssMb / r.rssMb).toFixed(2).padStart(20)}`,
      );
    }
    console.log('');
    console.log(
      `idle process peak RSS (included above): node+tsx ${idleNode.toFixed(0)} MB, python+numpy ${idlePython.toFixed(0)} MB. ` +
        'Ratios are recordflow / that reader (below 1 = recordflow is faster or smaller).',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) await child(process.argv[childAt + 1]!, process.argv[childAt + 2]!);
else await main();
