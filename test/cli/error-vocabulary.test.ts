// One error vocabulary: every command that reads a TFRecord file, given the same damaged input
// (a record cut short, a flipped data-CRC byte, a header claiming 2^60 payload bytes, a missing
// file, a directory where a file belongs), exits 2 with one line that names the file as the
// user named it (or the file inside the directory the user named) in the same words, with
// exact integers. The commands that read other formats share the words for missing files and
// directories. The damaged TFRecords are made here from a file prepare wrote.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { crc32c, maskCrc } from '../../src/io/crc32c.js';
import { errorLines, runCli, runInProcess } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-cli-vocabulary-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Where each record starts. */
function frames(b: Buffer): number[] {
  const at: number[] = [];
  for (let p = 0; p < b.length; p += 16 + Number(b.readBigUInt64LE(p))) at.push(p);
  return at;
}

type Placed = Buffer | 'missing' | 'dir';

interface Damage {
  name: string;
  make(good: Buffer): Placed;
  /** The words after `PATH: ` for this damage of `good`. */
  words(good: Buffer): string;
}

const DAMAGES: Damage[] = [
  {
    name: 'a record cut short',
    make: (b) => b.subarray(0, frames(b)[2]! + 12 + 10),
    words: (b) => `truncated_data at record 2, offset ${frames(b)[2]} (truncated record: the length says ${b.readBigUInt64LE(frames(b)[2]!)} payload bytes but only 10 follow)`,
  },
  {
    name: 'a flipped data-CRC byte',
    make: (b) => {
      const c = Buffer.from(b);
      c[frames(b)[2]! - 1]! ^= 0x01; // the last byte of record 1's data CRC
      return c;
    },
    words: (b) => `data_crc_mismatch at record 1, offset ${frames(b)[1]} (corrupted record: the data CRC does not match)`,
  },
  {
    name: 'a 2^60 length with a valid length CRC',
    make: (b) => {
      const c = Buffer.from(b);
      const at = frames(b)[1]!;
      c.writeBigUInt64LE(1n << 60n, at);
      c.writeUInt32LE(maskCrc(crc32c(c, at, at + 8)), at + 8);
      return c;
    },
    words: (b) => `truncated_data at record 1, offset ${frames(b)[1]} (truncated record: the length says 1152921504606846976 payload bytes but only ${b.length - frames(b)[1]! - 12} follow)`,
  },
  { name: 'a missing file', make: () => 'missing', words: () => 'no such file or directory' },
  { name: 'a directory', make: () => 'dir', words: () => 'is a directory, expected a file' },
];

function place(path: string, what: Placed): void {
  rmSync(path, { recursive: true, force: true });
  if (what === 'dir') mkdirSync(path);
  else if (what !== 'missing') writeFileSync(path, what);
}

describe('the same damage, the same exit code and words in every command', () => {
  const npz = join(tmp, 'npz');
  const prep = join(tmp, 'prep');
  const det = join(tmp, 'det');
  const model = join(tmp, 'model');
  before(async () => {
    assert.equal((await runInProcess(['synth', '--out', npz, '--seed', '1', '--scale', '0.05'])).code, 0);
    assert.equal((await runInProcess(['prepare', '--npz', npz, '--out', prep])).code, 0);
    assert.equal((await runInProcess(['prepare', '--task', 'detect', '--npz', npz, '--out', det])).code, 0);
    const { useBackend } = await import('../../src/train/predict.js');
    const { createBackbone, saveModel } = await import('../../src/train/index.js');
    await useBackend(undefined);
    const m = createBackbone({ seed: 1 });
    await saveModel(m, model);
    m.dispose();
  });

  /**
   * Each command: its arguments for a damaged file at `file`, or (for the commands that take a
   * prepared directory) a copy of that directory whose `inside` file is damaged.
   */
  const out = (name: string) => join(tmp, 'out', name);
  const COMMANDS: { cmd: string; inside?: [dir: () => string, name: string]; insideFor?: string; args(file: string, dir: string): string[] }[] = [
    { cmd: 'cat', args: (f) => ['cat', f] },
    { cmd: 'verify', args: (f) => ['verify', f] },
    { cmd: 'index', args: (f) => ['index', f] },
    { cmd: 'diff', args: (f) => ['diff', f, join(prep, 'loc_val.tfr')] },
    { cmd: 'head', args: (f) => ['head', f] },
    { cmd: 'count', args: (f) => ['count', f] },
    { cmd: 'schema', args: (f) => ['schema', f] },
    // show takes a directory too (its loc_val.tfr), so a directory's damage goes inside one.
    { cmd: 'show', inside: [() => prep, 'loc_val.tfr'], insideFor: 'a directory', args: (f, d) => ['show', d || f, '--out', out('x.png')] },
    { cmd: 'train', inside: [() => prep, 'loc_val.tfr'], args: (_f, d) => ['train', '--data', d, '--out', out('model'), '--epochs', '1'] },
    { cmd: 'eval', inside: [() => prep, 'loc_val.tfr'], args: (_f, d) => ['eval', '--data', d, '--model', model] },
    { cmd: 'detect', inside: [() => det, 'det_val.tfr'], args: (_f, d) => ['detect', '--data', d, '--model', model, '--out', out('dets.json')] },
  ];

  for (const damage of DAMAGES) {
    test(`TFRecord readers on ${damage.name}`, async () => {
      for (const c of COMMANDS) {
        rmSync(join(tmp, 'out'), { recursive: true, force: true });
        let file = join(tmp, `bad-${c.cmd}.tfr`);
        let dir = '';
        let good = readFileSync(join(prep, 'loc_val.tfr'));
        if (c.inside && (c.insideFor === undefined || c.insideFor === damage.name)) {
          const [from, name] = c.inside;
          dir = join(tmp, `bad-${c.cmd}`);
          rmSync(dir, { recursive: true, force: true });
          cpSync(from(), dir, { recursive: true });
          file = join(dir, name);
          good = readFileSync(join(from(), name));
        }
        place(file, damage.make(good));
        const r = await runInProcess(c.args(file, dir));
        assert.equal(r.code, 2, `${c.cmd}: ${r.stderr}`);
        const line = errorLines(r.stderr).filter((l) => l.startsWith('recordflow ')).at(-1);
        const want = `recordflow ${c.cmd}: ${file}: ${damage.words(good)}`;
        // A missing split file adds how to make it.
        if (damage.name === 'a missing file' && dir !== '') assert.ok(line?.startsWith(`${want} (`), `${c.cmd}: ${line}`);
        else assert.equal(line, want, c.cmd);
      }
    });
  }

  test('standard input: the same words, naming <stdin>', async () => {
    const good = readFileSync(join(prep, 'loc_val.tfr'));
    const damage = DAMAGES[1]!;
    for (const args of [['cat', '-'], ['verify', '-'], ['index', '-'], ['head', '-'], ['count', '-'], ['schema', '-'], ['diff', '-', join(prep, 'loc_val.tfr')]]) {
      const r = await runCli(args, { input: damage.make(good) as Buffer });
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      assert.equal(errorLines(r.stderr).at(-1), `recordflow ${args[0]}: <stdin>: ${damage.words(good)}`);
    }
  });

  test('commands reading other formats: the same words for a missing file or a directory; their own damage is exit 2 too', async () => {
    const badNpz = join(tmp, 'bad-npz');
    const member = join(badNpz, 'dataset1_origin.npz');
    const fresh = (): void => {
      rmSync(badNpz, { recursive: true, force: true });
      cpSync(npz, badNpz, { recursive: true });
    };
    const gt = join(det, 'det_val_coco.json');
    const dets = join(tmp, 'dets.json');
    writeFileSync(dets, '[]\n');
    const cases: { args: string[]; file: string; setup(kind: 'missing' | 'dir'): void }[] = [
      { args: ['pack', join(tmp, 'in.jsonl'), out('o.tfr')], file: join(tmp, 'in.jsonl'), setup: (k) => place(join(tmp, 'in.jsonl'), k) },
      { args: ['prepare', '--npz', badNpz, '--out', out('p')], file: member, setup: (k) => (fresh(), place(member, k)) },
      { args: ['prepare', '--npz', npz, '--out', out('p'), '--split', join(tmp, 'split.json')], file: join(tmp, 'split.json'), setup: (k) => place(join(tmp, 'split.json'), k) },
      { args: ['coco-eval', join(tmp, 'gt.json'), dets], file: join(tmp, 'gt.json'), setup: (k) => place(join(tmp, 'gt.json'), k) },
      { args: ['eval', '--data', prep, '--model', join(tmp, 'no-model')], file: join(tmp, 'no-model', 'model.json'), setup: (k) => (place(join(tmp, 'no-model'), 'dir'), place(join(tmp, 'no-model', 'model.json'), k)) },
    ];
    for (const kind of ['missing', 'dir'] as const) {
      for (const c of cases) {
        c.setup(kind);
        const r = await runInProcess(c.args);
        assert.equal(r.code, 2, `${c.args[0]}: ${r.stderr}`);
        assert.equal(errorLines(r.stderr).at(-1), `recordflow ${c.args[0]}: ${c.file}: ${kind === 'missing' ? 'no such file or directory' : 'is a directory, expected a file'}`);
      }
    }
    // Damage of their own formats: exit 2, one line naming the file.
    fresh();
    writeFileSync(member, readFileSync(join(npz, 'dataset1_origin.npz')).subarray(0, 5000));
    writeFileSync(join(tmp, 'cut.json'), readFileSync(gt).subarray(0, 300));
    writeFileSync(join(tmp, 'cut.jsonl'), '{"features": {}}\n{"feat');
    const own: [string[], string][] = [
      [['prepare', '--npz', badNpz, '--out', out('p')], `${member}: not a valid zip/npz file (no end of central directory record: truncated, or not a zip)`],
      [['coco-eval', join(tmp, 'cut.json'), dets], `${join(tmp, 'cut.json')}: not valid JSON (`],
      [['pack', join(tmp, 'cut.jsonl'), out('o.tfr')], `${join(tmp, 'cut.jsonl')}: line 2: invalid JSON`],
    ];
    for (const [args, start] of own) {
      const r = await runInProcess(args);
      assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
      const line = errorLines(r.stderr).at(-1)!;
      assert.ok(line.startsWith(`recordflow ${args[0]}: ${start}`), line);
    }
  });
});

describe('smaller messages', () => {
  test('a negative number reaches the option check; ranges read as words; diff names the missing side', async () => {
    const cases: [string[], string][] = [
      [['cat', 'x.tfr', '--limit', '-1'], 'recordflow cat: --limit must be at least 0, got -1 (see --help)'],
      [['head', 'x.tfr', '-n', '-3'], 'recordflow head: --limit must be at least 0, got -3 (see --help)'],
      [['synth', '--out', join(tmp, 'never'), '--scale', '0'], 'recordflow synth: --scale must be greater than 0 and at most 1000, got 0 (see --help)'],
      [['diff', 'a.tfr'], 'recordflow diff: missing B (see --help)'],
      [['diff'], 'recordflow diff: missing A and B (see --help)'],
      [['pack', 'in.jsonl'], 'recordflow pack: missing OUT (see --help)'],
    ];
    for (const [args, want] of cases) {
      const r = await runInProcess(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.deepEqual(errorLines(r.stderr), [want]);
    }
  });

  test('a bad --split file: the whole message, a line break in it shown as \\n', async () => {
    const split = join(tmp, 'nl-split.json');
    writeFileSync(split, 'nope\nmore');
    const r = await runInProcess(['prepare', '--npz', join(tmp, 'npz'), '--out', join(tmp, 'never'), '--split', split]);
    assert.equal(r.code, 2);
    const lines = errorLines(r.stderr);
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.startsWith(`recordflow prepare: ${split}: not valid JSON (`) && lines[0]!.endsWith(')'), lines[0]);
    // V8 quotes the text it failed on: the part after the line break is kept.
    if (lines[0]!.includes('nope')) assert.ok(lines[0]!.includes('nope\\nmore'), lines[0]);
  });
});
