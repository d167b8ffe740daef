// The options several commands share: --seed, --batch and --epochs mean the same everywhere, and
// no seed trains silently as seed 0.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/cli/command.js';
import { trainRunOptions } from '../../src/cli/commands/train.js';
import { batchOption, DEFAULT_BATCH, epochsOption, MAX_TRAINING_SEED, seedOption, trainingSeed } from '../../src/cli/options.js';

const noLog = (): void => {};

describe('--seed', () => {
  test('an integer stays a number, anything else a string; absent is the fallback', () => {
    assert.equal(seedOption({ seed: '42' }), 42);
    assert.equal(seedOption({ seed: 'abc' }), 'abc');
    assert.equal(seedOption({ seed: '-1' }), '-1');
    assert.equal(seedOption({ seed: '99999999999999999999' }), '99999999999999999999');
    assert.equal(seedOption({}), 0);
    assert.equal(seedOption({}, 'x'), 'x');
  });

  test('training seeds: integers in range as they are, every other seed folded into range and distinct', () => {
    assert.equal(trainingSeed(0), 0);
    assert.equal(trainingSeed(MAX_TRAINING_SEED), MAX_TRAINING_SEED);
    const folded = ['abc', 'abd', '', '-1', 2 ** 31, 2 ** 40].map(trainingSeed);
    for (const s of folded) assert.ok(Number.isInteger(s) && s >= 0 && s <= MAX_TRAINING_SEED, String(s));
    assert.equal(new Set(folded).size, folded.length);
    assert.ok(!folded.includes(0), 'no seed folds to 0 here');
    assert.equal(trainingSeed('abc'), trainingSeed('abc'));
  });

  test('train takes a string seed as start does (not as 0)', () => {
    assert.equal(trainRunOptions({ seed: 'abc' }, noLog).seed, trainingSeed('abc'));
    assert.notEqual(trainRunOptions({ seed: 'abc' }, noLog).seed, 0);
    assert.equal(trainRunOptions({ seed: '5' }, noLog).seed, 5);
    assert.equal(trainRunOptions({}, noLog).seed, 0);
  });
});

describe('--batch and --epochs', () => {
  test('whole numbers in [1, 100000]; defaults when absent', () => {
    assert.equal(batchOption({}), DEFAULT_BATCH);
    assert.equal(batchOption({ batch: '32' }), 32);
    assert.equal(epochsOption({}, 100), 100);
    assert.equal(epochsOption({ epochs: '3' }, 100), 3);
    for (const bad of ['0', '-1', '1.5', 'x', '100001']) {
      assert.throws(() => batchOption({ batch: bad }), UsageError, bad);
      assert.throws(() => epochsOption({ epochs: bad }, 100), UsageError, bad);
    }
  });
});
