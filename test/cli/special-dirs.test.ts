// --out (or --runs) in a place where directories cannot be made: every writing command fails at
// once with one line and exit 2 (Node's recursive mkdir used to spin for ever under /proc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorLines, runCli } from './helpers.js';

/** The CLI run, or a failure if it is still going after a minute (a hang, not a slow run). */
async function finishes(args: string[]): Promise<Awaited<ReturnType<typeof runCli>>> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`recordflow ${args.join(' ')} hangs`)), 60_000);
  });
  try {
    return await Promise.race([runCli(args), hang]);
  } finally {
    clearTimeout(timer);
  }
}

for (const args of [
  ['synth', '--out', '/proc/rf-nowhere'],
  ['prepare', '--npz', '.', '--out', '/proc/rf-nowhere/prepared'],
  ['start', '--runs', '/proc/rf-nowhere', '--epochs', '1'],
]) {
  test(`recordflow ${args.join(' ')}: exit 2, one line naming the path`, async () => {
    const r = await finishes(args);
    assert.equal(r.code, 2, r.stderr);
    const lines = errorLines(r.stderr).filter((l) => l.startsWith('recordflow'));
    assert.equal(lines.length, 1, r.stderr);
    const given = args[args.indexOf(args.includes('--runs') ? '--runs' : '--out') + 1]!;
    assert.ok(lines[0]!.startsWith(`recordflow ${args[0]}: ${given}: cannot create the directory`), lines[0]);
  });
}
