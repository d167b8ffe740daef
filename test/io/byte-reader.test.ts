// ByteReader: exact byte counts across block boundaries, what `unread` hands back comes first,
// `offset` tracks the stream position, and the end of the stream shortens a read, never pads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader } from '../../src/io/byte-reader.js';
import { blockSource } from '../../src/io/byte-source.js';

/** A reader over the bytes 0..n-1 delivered in blocks of the given sizes. */
function readerOver(sizes: number[]): ByteReader {
  let at = 0;
  const blocks = sizes.map((s) => Uint8Array.from({ length: s }, () => at++));
  return new ByteReader(blockSource((async function* () { yield* blocks; })()));
}

test('read(n) spans blocks, peek leaves the bytes, skip drops them, offset follows', async () => {
  const r = readerOver([3, 1, 5, 2]);
  assert.deepEqual([...await r.peek(5)], [0, 1, 2, 3, 4]);
  assert.equal(r.offset, 0);
  assert.deepEqual([...await r.read(5)], [0, 1, 2, 3, 4]);
  assert.equal(r.offset, 5);
  assert.equal(await r.skip(2), 2);
  assert.equal(r.offset, 7);
  assert.deepEqual([...await r.read(1)], [7]);
  const b = await r.readBlock();
  assert.deepEqual([...(b as Uint8Array)], [8]); // the rest of the split block comes first
  assert.deepEqual([...await r.read(10)], [9, 10]); // the end shortens the read
  assert.equal(r.offset, 11);
  assert.equal(await r.readBlock(), null);
  assert.equal(await r.skip(4), 0);
  await r.close();
});

test('unread bytes come back before the next block; an empty stream reads nothing', async () => {
  const r = readerOver([4]);
  const head = await r.read(2);
  r.unread(head);
  assert.equal(r.offset, 0);
  assert.deepEqual([...await r.read(4)], [0, 1, 2, 3]);
  await r.close();
  const empty = readerOver([]);
  assert.equal((await empty.read(8)).length, 0);
  assert.equal((await empty.read(0)).length, 0);
  assert.equal(await empty.readBlock(), null);
  await empty.close();
});

test('an aborted signal stops the next read', async () => {
  const ac = new AbortController();
  const r = new ByteReader(blockSource(new Uint8Array(8)), ac.signal);
  ac.abort();
  await assert.rejects(r.read(1), { name: 'AbortError' });
  await r.close();
});
