// Shared pieces of the differential tests (not a test file): seeded choices for the generators,
// and one python process answering for a whole batch of cases.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Rng } from '../../src/core/random.js';

/** Seeded choices the case generators are built on. */
export class Choices {
  constructor(readonly r: Rng) {}
  chance(p: number): boolean {
    return this.r.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.r.int(xs.length)]!;
  }
}

/** Runs a python oracle script once over all cases (hex lines in), one JSON row out per case. */
export function askPython<Row>(script: string, cases: Uint8Array[]): Row[] {
  const input = cases.map((c) => Buffer.from(c).toString('hex')).join('\n') + '\n';
  const out = execFileSync('/usr/bin/python3', [script], { input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'ignore'] }).toString('utf8');
  const rows = out.trimEnd().split('\n').map((l) => JSON.parse(l) as Row);
  assert.equal(rows.length, cases.length);
  return rows;
}
