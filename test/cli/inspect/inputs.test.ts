import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { CommandContext } from '../../../src/cli/command.js';
import { progressAfterASecond } from '../../../src/cli/inspect/inputs.js';

test('the progress line appears only once an input has taken a second', () => {
  const calls: string[] = [];
  const ctx = {
    progress: (label: string, total?: number) => {
      calls.push(`new ${label} ${total}`);
      return { update: (done: number, status?: string) => calls.push(`update ${done} ${status}`), finish: (status?: string) => calls.push(`finish ${status}`) };
    },
  } as unknown as CommandContext;
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const quick = progressAfterASecond(ctx, 'schema', 100);
    quick.update(50, '5 records');
    quick.finish('done');
    assert.deepEqual(calls, [], 'a short input prints nothing');
    const slow = progressAfterASecond(ctx, 'schema', 100);
    slow.update(10);
    mock.timers.tick(1500);
    slow.update(250, '9 records');
    slow.finish('12 records');
    assert.deepEqual(calls, ['new schema 100', 'update 100 9 records', 'finish 12 records']);
  } finally {
    mock.timers.reset();
  }
});
