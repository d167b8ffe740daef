// Streams through the CLI as users pipe them: `-` for standard input, /dev/stdin behind a real
// shell pipe, FIFOs (mkfifo) and bash's <(...). Never "0 records" for input that had bytes.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { ROOT, errorLines, runCli } from './helpers.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../golden/tf/', import.meta.url));
const WMT = join(GOLDEN, 'lingvo__wmt14_ende_wpm_32k_test.tfrecord');
const DEEPC = join(GOLDEN, 'deepconsensus__human_1m_tf_examples_eval.tfrecord.gz');
const tmp = mkdtempSync(join(tmpdir(), 'recordflow-cli-streams-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const hasBash = existsSync('/bin/bash') || existsSync('/usr/bin/bash');

/** Runs `script` under a shell with `recordflow` as a function and $1.. as the given args. */
function shell(script: string, args: string[], sh = 'sh'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const prelude = `recordflow() { "${process.execPath}" --import tsx "${MAIN}" "$@"; }\n`;
    const child = spawn(sh, ['-c', prelude + script, sh, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

const WMT_OK = /: OK, 100 records, 99351 payload bytes$/m;

describe('streams through the CLI', { concurrency: 2 }, () => {
  test('verify - and verify /dev/stdin behind a shell pipe count every record', async () => {
    const dash = await shell('cat "$1" | recordflow verify -', [WMT]);
    assert.equal(dash.code, 0, dash.stderr);
    assert.match(dash.stdout, /^<stdin>: OK, 100 records, 99351 payload bytes$/m);
    const dev = await shell('cat "$1" | recordflow verify /dev/stdin', [WMT]);
    assert.equal(dev.code, 0, dev.stderr);
    assert.match(dev.stdout, /^\/dev\/stdin: OK, 100 records, 99351 payload bytes$/m);
  });

  test('verify a FIFO and a gzip FIFO (--compression), each fed by another process', async () => {
    const fifo = join(tmp, 'wmt.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await shell('cat "$1" > "$2" & recordflow verify "$2"; s=$?; wait; exit $s', [WMT, fifo]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, WMT_OK);
    const gz = join(tmp, 'deepc.fifo');
    execFileSync('mkfifo', [gz]);
    const z = await shell('cat "$1" > "$2" & recordflow verify --compression gzip "$2"; s=$?; wait; exit $s', [DEEPC, gz]);
    assert.equal(z.code, 0, z.stderr);
    assert.match(z.stdout, /: OK, 65 records, 2258852 payload bytes$/m);
  });

  test('verify <(...) and diff A <(cat A) under bash', { skip: !hasBash && 'no bash' }, async () => {
    const v = await shell('recordflow verify <(cat "$1")', [WMT], 'bash');
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, WMT_OK);
    const d = await shell('recordflow diff "$1" <(cat "$1")', [WMT], 'bash');
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, 'same: 100 records\n');
    const shorter = await shell('recordflow diff "$1" <(head -c 2000 "$1")', [WMT], 'bash');
    assert.equal(shorter.code, 2, 'a cut stream is bad input, not "same"');
    assert.match(errorLines(shorter.stderr)[0]!, /^recordflow diff: \/dev\/fd\/\d+: truncated_data at record \d+/);
  });

  test('cat - prints what cat FILE prints (stdin from a Node pipe)', async () => {
    const file = await runCli(['cat', '--json', WMT]);
    const dash = await runCli(['cat', '--json', '-'], { input: readFileSync(WMT) });
    assert.equal(dash.code, 0, dash.stderr);
    assert.equal(dash.stdout, file.stdout);
    assert.equal(dash.stdout.trimEnd().split('\n').length, 100);
  });

  test('a stream cut mid-record: the records before it, then truncated_data naming <stdin>; never OK', async () => {
    const cut = readFileSync(WMT).subarray(0, 50_000);
    const v = await runCli(['verify', '-'], { input: cut });
    assert.equal(v.code, 2, v.stderr);
    assert.doesNotMatch(v.stdout, /OK/);
    assert.match(errorLines(v.stderr)[0]!, /^recordflow verify: <stdin>: truncated_data at record 47, offset 48562 /);
    const c = await runCli(['cat', '--raw', '-'], { input: cut });
    assert.equal(c.code, 2);
    assert.equal(c.stdout.trimEnd().split('\n').length, 47);
  });

  test('diff with one side on stdin; both sides - is refused with a reason', async () => {
    const same = await runCli(['diff', WMT, '-'], { input: readFileSync(WMT) });
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, 'same: 100 records\n');
    const other = await runCli(['diff', '-', WMT], { input: readFileSync(join(GOLDEN, 'pwnall-tfrecord__singles.tfrecords')) });
    assert.equal(other.code, 1, other.stderr);
    assert.match(other.stdout, /^differ at record 0/);
    const both = await runCli(['diff', '-', '-'], { input: readFileSync(WMT) });
    assert.equal(both.code, 2);
    assert.match(errorLines(both.stderr)[0]!, /^recordflow diff: - \(standard input\) can be only one of A and B/);
    const twice = await runCli(['verify', '-', '-'], { input: readFileSync(WMT) });
    assert.equal(twice.code, 2);
  });

  test('index - prints the index (what index FILE saves in FILE.idx) on stdout', async () => {
    const copy = join(tmp, 'wmt.tfrecord');
    writeFileSync(copy, readFileSync(WMT));
    const saved = await runCli(['index', copy]);
    assert.equal(saved.code, 0, saved.stderr);
    const idx = readFileSync(`${copy}.idx`, 'utf8');
    const dash = await runCli(['index', '-'], { input: readFileSync(WMT) });
    assert.equal(dash.code, 0, dash.stderr);
    assert.equal(dash.stdout, idx);
    const json = await runCli(['index', '--json', '-'], { input: readFileSync(WMT) });
    const parsed = JSON.parse(json.stdout) as { file: string; records: number; offsets: number[]; lengths: number[] };
    assert.equal(parsed.file, '<stdin>');
    assert.equal(parsed.records, 100);
    assert.deepEqual(parsed.offsets.map((o, i) => `${o} ${parsed.lengths[i]}\n`).join(''), idx);
    const fifo = join(tmp, 'idx.fifo');
    execFileSync('mkfifo', [fifo]);
    const f = await shell('cat "$1" > "$2" & recordflow index "$2"; s=$?; wait; exit $s', [WMT, fifo]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout, idx);
    assert.equal(existsSync(`${fifo}.idx`), false);
  });
});
