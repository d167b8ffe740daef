// The pure-JS CRC path (no WebAssembly, or RECORDFLOW_CRC=js) runs the TFRecord golden and writer
// tests in a child process: framing, payload checks and sealing all have a JS twin of the wasm kernels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('TFRecord golden and writer tests pass on the pure-JS CRC kernel', () => {
  const files = ['tfrecord-golden.test.ts', 'tfrecord-writer.test.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url)));
  const env: NodeJS.ProcessEnv = { ...process.env, RECORDFLOW_CRC: 'js' };
  delete env['NODE_TEST_CONTEXT']; // else the child thinks it runs inside this runner and skips
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...files], {
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const summary = /# pass (\d+)\n# fail (\d+)/.exec(r.stdout);
  assert.ok(summary, `no test summary:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  assert.equal(summary[2], '0', r.stdout.slice(-4000));
  assert.ok(Number(summary[1]) >= 10, 'the child ran the tests');
  assert.equal(r.status, 0);
});
