// Hostile .npz files: a deflate bomb (a member that inflates to hundreds of MiB while the zip
// directory says ~1 KiB) is stopped as soon as it passes its declared size, so the reading
// process's peak memory stays small (measured in child processes by maxRSS, never by time);
// directories that declare impossible sizes, paths that are directories, and npz files read
// through a FIFO.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { InputError } from '../../src/core/errors.js';
import { encodeNpyHeader } from '../../src/io/npy.js';
import { readNpz, writeNpz } from '../../src/io/npz.js';
import { ZipWriter } from '../../src/io/zip-writer.js';

const tmp = mkdtempSync(join(tmpdir(), 'rf-npz-hostile-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MiB = 1 << 20;

/**
 * A raw deflate stream of `head`, then `zeroMiB` MiB of zeros, built from full-flushed pieces
 * (each MiB deflated once and repeated: no large buffer is ever made here).
 */
function bombStream(head: Uint8Array, zeroMiB: number): Buffer {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const zeros = deflateRawSync(Buffer.alloc(MiB), flush);
  const parts = [deflateRawSync(head, flush)];
  for (let i = 0; i < zeroMiB; i++) parts.push(zeros);
  parts.push(Buffer.from([0x03, 0x00])); // a final, empty fixed-Huffman block
  return Buffer.concat(parts);
}

/** An npz whose member `key` holds `deflated` while its directory claims `size` bytes and `crc`. */
async function npzWith(path: string, key: string, deflated: Uint8Array, size: number, crc: number): Promise<void> {
  const fh = await open(path, 'w');
  const zip = new ZipWriter(fh);
  await zip.add(`${key}.npy`, [deflated], { method: 8, crc32: crc, size });
  await zip.finish();
  await fh.close();
}

/** The bomb: a valid .npy header for 1,000 uint8 values, then `zeroMiB` MiB more than declared. */
async function bomb(path: string, key: string, zeroMiB: number): Promise<number> {
  const header = encodeNpyHeader('uint8', [1000]);
  const npy = new Uint8Array(header.length + 1000);
  npy.set(header);
  await npzWith(path, key, bombStream(npy, zeroMiB), npy.length, crc32(npy));
  return npy.length;
}

/** Runs `body` (a module with readNpz, runCli in scope) in a child; its JSON line and peak RSS in MiB. */
function child(body: string): Promise<{ out: Record<string, unknown>; rssMiB: number }> {
  const script = `
    const { readNpz } = await import(${JSON.stringify(join(ROOT, 'src/io/npz.ts'))});
    const { runCli } = await import(${JSON.stringify(join(ROOT, 'src/cli/run.ts'))});
    void readNpz; void runCli;
    const out = await (async () => { ${body} })();
    process.stdout.write(JSON.stringify({ out, rss: process.resourceUsage().maxRSS }));`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    c.stdout.on('data', (b: Buffer) => chunks.push(b));
    c.stderr.on('data', (b: Buffer) => (err += b.toString()));
    c.on('error', reject);
    c.on('close', (code) => {
      try {
        const r = JSON.parse(Buffer.concat(chunks).toString()) as { out: Record<string, unknown>; rss: number };
        resolve({ out: r.out, rssMiB: r.rss / 1024 });
      } catch {
        reject(new Error(`child exited ${code}: ${err}`));
      }
    });
  });
}

const catching = (call: string): string => `try { await ${call}; return { ok: true }; } catch (e) { return { name: e.name, message: e.message }; }`;

test('a deflate bomb (300 MiB behind a 1,128-byte directory entry) is refused with memory bounded by the declared size', async () => {
  const path = join(tmp, 'bomb.npz');
  const declared = await bomb(path, 'images', 300);
  const small = join(tmp, 'small.npz');
  await writeNpz(small, { images: { dtype: 'uint8', shape: [1000], data: new Uint8Array(1000) } }, { compress: true });
  const base = await child(catching(`readNpz(${JSON.stringify(small)})`));
  assert.deepEqual(base.out, { ok: true });
  for (const streamInflateAbove of [undefined, 0]) {
    const opts = streamInflateAbove === undefined ? '' : `, { streamInflateAbove: ${streamInflateAbove} }`;
    const r = await child(catching(`readNpz(${JSON.stringify(path)}${opts})`));
    assert.equal(r.out.name, 'InputError', JSON.stringify(r.out));
    assert.match(String(r.out.message), new RegExp(`bomb\\.npz: array 'images': inflates to more than the ${declared} bytes the directory says`));
    // inflating in full would take 300 MiB more than reading a small file
    assert.ok(r.rssMiB - base.rssMiB < 48, `peak RSS ${r.rssMiB.toFixed(0)} MiB against ${base.rssMiB.toFixed(0)} MiB for a small file`);
  }
});

test('prepare on a set whose npz is a deflate bomb: one line, exit 2, small peak memory', async () => {
  const dir = join(tmp, 'sets');
  execFileSync('mkdir', ['-p', dir]);
  await bomb(join(dir, 'dataset1_origin.npz'), 'images', 300);
  const out = join(tmp, 'prepared');
  const r = await child(`
    const lines = [];
    const { Writable } = await import('node:stream');
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const code = await runCli(['prepare', '--npz', ${JSON.stringify(dir)}, '--out', ${JSON.stringify(out)}], { stdout: sink, stderr: sink });
    return { code, lines };`);
  assert.equal(r.out.code, 2, JSON.stringify(r.out));
  assert.match((r.out.lines as string[]).join(''), /^recordflow prepare: .*dataset1_origin\.npz: array '\w+': inflates to more than the \d+ bytes the directory says\n$/);
  assert.ok(r.rssMiB < 200, `peak RSS ${r.rssMiB.toFixed(0)} MiB`);
});

test('a directory claiming more than deflate can produce, or more than a buffer holds, is refused before any allocation', async () => {
  const path = join(tmp, 'claims.npz');
  await npzWith(path, 'a', deflateRawSync(Buffer.alloc(10)), 2 ** 40, 0);
  await assert.rejects(readNpz(path), (e: unknown) => e instanceof InputError && /the directory says 1099511627776 bytes/.test(e.message));
  await npzWith(path, 'a', deflateRawSync(Buffer.alloc(10)), 100_000, 0);
  await assert.rejects(readNpz(path), (e: unknown) => e instanceof InputError && /from \d+ compressed, more than deflate can produce/.test(e.message));
});

test('readNpz(directory) is an InputError; an npz read through a FIFO gives its arrays', async () => {
  await assert.rejects(readNpz(tmp), (e: unknown) => e instanceof InputError && e.message === `${tmp}: is a directory, expected a file`);
  const file = join(tmp, 'plain.npz');
  await writeNpz(file, { x: { dtype: 'int16', shape: [2, 2], data: new Int16Array([1, -2, 3, -4]) } });
  const fifo = join(tmp, 'npz.fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', file, fifo], { stdio: 'ignore' });
  const done = new Promise((resolve) => writer.on('close', resolve));
  const got = await readNpz(fifo);
  await done;
  assert.deepEqual(Array.from(got.x!.data as Int16Array), [1, -2, 3, -4]);
  writeFileSync(join(tmp, 'empty.npz'), '');
  await assert.rejects(readNpz(join(tmp, 'empty.npz')), InputError);
});
