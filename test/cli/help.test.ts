// Help output, usage errors and exit codes of the CLI skeleton (no data needed). A few cases
// spawn the real command; the rest run in-process, which is the same code minus process start.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorLines, runCli, runInProcess } from './helpers.js';

const COMMANDS = ['start', 'synth', 'prepare', 'train', 'eval', 'detect', 'coco-eval', 'show', 'diff', 'cat', 'pack', 'verify', 'index', 'head', 'count', 'schema', 'report', 'curves'];

describe('help and usage (spawned)', { concurrency: 2 }, () => {
  test('recordflow --help lists every command', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c} +\\S`, 'm'), c);
  });

  test('a usage error: exit 2, one line on stderr, nothing on stdout', async () => {
    const r = await runCli(['train', '--data', 'x', '--out', 'y', '--epochs', 'many']);
    assert.equal(r.code, 2);
    assert.deepEqual(errorLines(r.stderr), ['recordflow train: --epochs must be an integer, got "many" (see --help)']);
    assert.equal(r.stdout, '');
  });

  test('--verbose adds the stack trace', async () => {
    const r = await runCli(['--verbose', 'cat', '/nonexistent/file.tfrecord']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^recordflow cat: \/nonexistent\/file\.tfrecord: no such file or directory$/m);
    assert.match(r.stderr, /\n\s+at /);
  });
});

describe('help and usage (in-process)', () => {
  test('each command has --help with its usage line and options', async () => {
    for (const c of COMMANDS) {
      const r = await runInProcess([c, '--help']);
      assert.equal(r.code, 0, `${c}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: recordflow ${c} `, 'm'));
      assert.match(r.stdout, /^Options:$/m);
      assert.match(r.stdout, /--verbose/);
    }
  });

  test('usage errors: exit 2, one line, no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['nonsense'], /^recordflow: unknown command "nonsense"/],
      [['--nope'], /^recordflow: unknown option --nope/],
      [['cat'], /^recordflow cat: missing FILE \(see --help\)$/],
      [['cat', 'a', 'b'], /^recordflow cat: unexpected argument "b"/],
      [['cat', '--bogus', 'x'], /^recordflow cat: unknown option '--bogus'/],
      [['cat', '--json', '--raw', 'x'], /^recordflow cat: --json and --raw exclude each other/],
      [['synth'], /^recordflow synth: --out is required/],
      [['prepare', '--npz', 'a', '--out', 'b', '--shards', '0'], /^recordflow prepare: --shards must be between 1 and 10000, got 0/],
      [['cat', '--compression', 'lz4', 'x'], /^recordflow cat: --compression must be one of none, gzip, zlib/],
      [['eval', '--data', '/nonexistent-dir', '--model', '/nonexistent-model'], /^recordflow eval: \/nonexistent-model: no such file or directory$/],
    ];
    for (const [args, re] of cases) {
      const r = await runInProcess(args);
      assert.equal(r.code, 2, args.join(' '));
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(r.stdout, '');
    }
  });

  test('no command prints the overview and exits 2; help <command> exits 0', async () => {
    const none = await runInProcess([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /^Usage: recordflow/m);
    const h = await runInProcess(['help', 'diff']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /^Usage: recordflow diff A B/m);
  });
});
