// Help output, usage errors and exit codes of the CLI skeleton (no data needed).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorLines, runCli } from './helpers.js';

const COMMANDS = ['synth', 'prepare', 'train', 'eval', 'show', 'diff', 'cat', 'pack', 'verify', 'index', 'start'];

describe('help and usage', { concurrency: 2 }, () => {
  test('recordflow --help lists every command', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c} +\\S`, 'm'), c);
  });

  test('each command has --help with its usage line and options', async () => {
    const results = await Promise.all(COMMANDS.map((c) => runCli([c, '--help'])));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, `${COMMANDS[i]}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: recordflow ${COMMANDS[i]} `, 'm'));
      assert.match(r.stdout, /--verbose/);
    });
  });

  test('usage errors: exit 2, one line, no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['nonsense'], /^recordflow: unknown command "nonsense"/],
      [['cat'], /^recordflow cat: missing FILE \(see --help\)$/],
      [['cat', 'a', 'b'], /^recordflow cat: unexpected argument "b"/],
      [['cat', '--bogus', 'x'], /^recordflow cat: unknown option '--bogus'/],
      [['synth'], /^recordflow synth: --out is required/],
      [['train', '--data', 'x', '--out', 'y', '--epochs', 'many'], /^recordflow train: --epochs must be an integer, got "many"/],
      [['cat', '--compression', 'lz4', 'x'], /^recordflow cat: --compression must be one of none, gzip, zlib/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      const [args, re] = cases[i]!;
      assert.equal(r.code, 2, args.join(' '));
      const lines = errorLines(r.stderr);
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, re);
      assert.equal(r.stdout, '');
    });
  });

  test('--verbose adds the stack trace', async () => {
    const r = await runCli(['--verbose', 'cat', '/nonexistent/file.tfrecord']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^recordflow cat: \/nonexistent\/file\.tfrecord: no such file or directory$/m);
    assert.match(r.stderr, /\n\s+at /);
  });
});
