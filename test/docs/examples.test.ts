// Every @example in src/ compiles under strict with the package root's exports in scope; and the
// check itself finds a broken example (a fixture), so a green run means something.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkExamples, examplesIn, filesUnder, ROOT } from './examples.js';

test('every @example under src/ type-checks against the package root', () => {
  const examples = filesUnder(join(ROOT, 'src')).flatMap(examplesIn);
  assert.ok(examples.length > 100, `only ${examples.length} examples found`);
  const problems = checkExamples(examples);
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});

test('the check reports a broken example by file and line, and passes a good one', () => {
  const examples = examplesIn(join(ROOT, 'test/docs/fixtures/examples-fixture.ts'));
  assert.equal(examples.length, 2);
  assert.equal(examples[0]!.code, 'const rng = createRng(1);\nconst x: number = rng.next();');
  const problems = checkExamples(examples);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0]!, /^test\/docs\/fixtures\/examples-fixture\.ts:15 \(example line 2\): Type 'number' is not assignable to type 'string'/);
});
