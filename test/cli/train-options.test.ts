// Option handling of the model commands, without training: --backend validation, and the
// precise-BN options `train` hands to the trainer.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BACKEND_CHOICES } from '../../src/cli/model-files.js';
import { BACKEND_CHOICES as TRAIN_BACKEND_CHOICES } from '../../src/train/backend/select-backend.js';
import { errorLines, runInProcess } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'recordflow-cli-options-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('--backend', () => {
  test('the CLI offers exactly the backends selectBackend knows', () => {
    assert.deepEqual([...BACKEND_CHOICES], [...TRAIN_BACKEND_CHOICES]);
  });

  test('an unknown backend is a usage error in every model command, before anything is written', async () => {
    const out = join(tmp, 'never');
    const commands: [string, string[]][] = [
      ['train', ['--data', tmp, '--out', out]],
      ['eval', ['--data', tmp, '--model', out]],
      ['show', [tmp, '--out', join(out, 'x.png'), '--model', out]],
      ['start', ['--runs', out]],
    ];
    for (const [name, args] of commands) {
      const r = await runInProcess([name, ...args, '--backend', 'foo']);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.deepEqual(errorLines(r.stderr), [`recordflow ${name}: --backend must be one of auto, gpu, node, fast, wasm, cpu, got "foo" (see --help)`]);
      assert.equal(r.stdout, '');
      assert.equal(existsSync(out), false, `${name} created ${out}`);
    }
  });
});
