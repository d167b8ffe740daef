// The package as its users get it: plain Node (no TypeScript loader) importing `recordflow` by
// name through package.json's exports, and the `recordflow` bin. `npm test` builds dist/ first
// (the pretest script), so these check the code of this checkout, not an old build.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as source from '../src/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Written by golden/'s Python producer. */
const GOLDEN = fileURLToPath(new URL('../golden/tfrecord/plain.tfrecord', import.meta.url));

/** Runs `code` as an ES module in a plain node process (no --import tsx) inside the package. */
function plainNode(code: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
}

describe('the published package', () => {
  test('plain node imports recordflow by name and gets every export of src/index.ts', () => {
    const names = JSON.parse(plainNode("const m = await import('recordflow'); console.log(JSON.stringify(Object.keys(m).sort()));")) as string[];
    assert.deepEqual(names, Object.keys(source).sort());
  });

  test('each room is a subpath export, and recordflow/io loads no tfjs', async () => {
    const rooms = { io: '../src/io/index.js', storage: '../src/storage/index.js', transforms: '../src/transforms/index.js', pipeline: '../src/pipeline/index.js', train: '../src/train/index.js', synth: '../src/synth/index.js', render: '../src/render/index.js', detect: '../src/detect/index.js' };
    for (const [room, path] of Object.entries(rooms)) {
      const names = JSON.parse(plainNode(`const m = await import('recordflow/${room}'); console.log(JSON.stringify(Object.keys(m).sort()));`)) as string[];
      assert.deepEqual(names, Object.keys((await import(path)) as object).sort(), room);
    }
    // A resolve hook that refuses every @tensorflow package: the io room must not need one.
    const hook = `export async function resolve(s, c, next) { if (s.startsWith('@tensorflow/')) throw new Error('loaded ' + s); return next(s, c); }`;
    const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));`;
    const out = execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', "const io = await import('recordflow/io'); console.log(typeof io.readTFRecord);"], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(out.trim(), 'function');
    // The same hook does stop the root export, which re-exports the train room.
    assert.throws(() => execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', "await import('recordflow');"], {
      cwd: ROOT, stdio: 'pipe', env: { ...process.env, NODE_OPTIONS: '' },
    }), /loaded @tensorflow/);
  });

  test('recordflow/io loads no AWS SDK until an s3:// URL is used', () => {
    // A resolve hook that refuses @aws-sdk packages: reading local files must not need them.
    const hook = `export async function resolve(s, c, next) { if (s.startsWith('@aws-sdk/')) throw new Error('loaded ' + s); return next(s, c); }`;
    const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));`;
    const code =
      "const io = await import('recordflow/io'); let n = 0;" +
      `for await (const r of io.readTFRecord(${JSON.stringify(GOLDEN)})) n++;` +
      "let refused = ''; try { for await (const r of io.readTFRecord('s3://bucket/key.tfr')) n++; } catch (e) { refused = e.message; }" +
      'console.log(JSON.stringify({ n, refused }));';
    const out = execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', code], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const { n, refused } = JSON.parse(out) as { n: number; refused: string };
    assert.ok(n > 0);
    // Only the s3:// read reached for the SDK (and the hook stopped it).
    assert.match(refused, /@aws-sdk\/client-s3/);
  });

  test('the compiled readTFRecord and decodeExample read a TFRecord file', () => {
    const out = plainNode(
      "import { readTFRecord } from 'recordflow';" +
        'let n = 0, bytes = 0;' +
        `for await (const r of readTFRecord(${JSON.stringify(GOLDEN)})) { n++; bytes += r.length; }` +
        'console.log(JSON.stringify({ n, bytes }));',
    );
    let n = 0;
    let bytes = 0;
    const file = readFileSync(GOLDEN);
    // Independent framing walk: 8-byte length, 4-byte CRC, payload, 4-byte CRC.
    for (let p = 0; p < file.length; n++) {
      const len = Number(file.readBigUInt64LE(p));
      bytes += len;
      p += 16 + len;
    }
    assert.deepEqual(JSON.parse(out), { n, bytes });
    assert.ok(n > 0);
  });

  test("a strict TypeScript consumer type-checks against the package's declarations", () => {
    // A consumer outside the package, with recordflow linked into its node_modules as npm would.
    const dir = mkdtempSync(join(tmpdir(), 'rf-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(ROOT, join(dir, 'node_modules', 'recordflow'), 'dir');
      symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
      writeFileSync(
        join(dir, 'consumer.ts'),
        [
          "import { readTFRecord, decodeExample, type TFRecordReadOptions } from 'recordflow';",
          "const options: TFRecordReadOptions = { verify: true, onCorrupt: 'skip' };",
          "const records: AsyncIterable<Uint8Array> = readTFRecord('a.tfrecord', options);",
          'export async function first(): Promise<unknown> { for await (const r of records) return decodeExample(r); return undefined; }',
          // Proves the declarations are real types, not `any`: this line must be an error.
          "// @ts-expect-error: onCorrupt is 'throw' | 'skip'",
          "readTFRecord('a.tfrecord', { onCorrupt: 'ignore' });",
        ].join('\n'),
      );
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', 'consumer.ts'], {
        cwd: dir,
        encoding: 'utf8',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the recordflow bin runs the compiled CLI under plain node', () => {
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('../bin/recordflow.js', import.meta.url)), 'verify', GOLDEN], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.match(out, /OK, \d+ records/);
  });
});
