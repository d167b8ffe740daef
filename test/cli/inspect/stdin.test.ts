// Standard input without --compression: the first bytes decide, and the stream comes back whole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync, deflateSync } from 'node:zlib';
import { maskedCrc32c } from '../../../src/io/index.js';
import { compressionOfHead, sniffCompression } from '../../../src/cli/inspect/stdin.js';
import { frameRecord } from '../../../src/io/tfrecord-writer.js';

const plain = Buffer.concat([frameRecord(new Uint8Array([1, 2, 3])), frameRecord(new Uint8Array(300))]);

test('a TFRecord header, gzip magic and a zlib header each name their compression', () => {
  assert.equal(compressionOfHead(plain, maskedCrc32c), 'none');
  assert.equal(compressionOfHead(gzipSync(plain), maskedCrc32c), 'gzip');
  for (const level of [1, 6, 9]) assert.equal(compressionOfHead(deflateSync(plain, { level }), maskedCrc32c), 'zlib');
  // A record whose length starts with gzip's magic still reads as plain: its CRC matches.
  const odd = frameRecord(new Uint8Array(0x8b1f));
  assert.deepEqual([odd[0], odd[1], compressionOfHead(odd, maskedCrc32c)], [0x1f, 0x8b, 'none']);
  // Too short or unknown: plain, and the reader names what is wrong.
  assert.equal(compressionOfHead(new Uint8Array(0), maskedCrc32c), 'none');
  assert.equal(compressionOfHead(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), maskedCrc32c), 'none');
});

test('the sniffed stream gives every byte back, from chunks of any size, and closes its source', async () => {
  const bytes = gzipSync(plain);
  let closed = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (let i = 0; i < bytes.length; i += 5) yield bytes.subarray(i, i + 5);
    } finally {
      closed++;
    }
  }
  const { source, compression } = await sniffCompression(chunks());
  assert.equal(compression, 'gzip');
  const back: Uint8Array[] = [];
  for await (const c of source) back.push(c);
  assert.deepEqual(Buffer.concat(back), bytes);
  assert.equal(closed, 1);
  const empty = await sniffCompression((async function* () {})());
  assert.equal(empty.compression, 'none');
  for await (const _ of empty.source) assert.fail('nothing to read');
});
