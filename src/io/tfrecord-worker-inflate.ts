// The worker's part for GZIP and ZLIB files (plain JS, appended to PLAIN_SOURCE and run inside
// the worker that tfrecord-worker.ts starts): `runInflate(s)` reads the compressed file, inflates
// it with a zlib stream of the worker's own (on libuv's pool, in large slices), frames and checks
// the decompressed blocks with the wasm kernel and transfers them to the reader, so that the
// reader's thread only hands out payload views and N files read at once spread over the cores.
//
// Only the clean case is the worker's. Damage of any kind (a zlib error, a bad header or CRC, a
// record cut by the end of the stream, a read error) makes it stop at the end of the records it
// has delivered; the reader then inflates the file again on its own thread, skips to that
// decompressed offset and goes on with its own machinery, which raises or skips as always.
//
// The records delivered before damage must be a prefix of what the reader's own path delivers.
// That path loses the output of the zlib call that fails (at most one output chunk of
// decompress.ts), so a block goes to the reader only once at least `d.margin` (more than that
// chunk) decompressed bytes have come out after its last record, or once zlib has ended cleanly.

/** Worker source: `runInflate(s)` for one GZIP (`s.compression === 'gzip'`) or ZLIB stream. */
export const INFLATE_SOURCE = `
const zlib = require('node:zlib');

/** Copy pieces into one fresh (transferable) block. */
function joined(pieces, bytes) {
  const out = new Uint8Array(new ArrayBuffer(bytes));
  let at = 0;
  for (const p of pieces) { out.set(p, at); at += p.length; }
  return out;
}

async function runInflate(s) {
  let fh = null;
  let z = null;
  let reading = null; // the read in flight: the descriptor is never closed under it
  let feeding = null;
  let index = 0; // records delivered
  let offset = 0; // decompressed offset after the last delivered record
  let produced = 0; // decompressed bytes out of zlib so far
  let base = 0; // decompressed offset of the first unframed byte
  let pieces = []; // unframed output: the tail of a record begun earlier, then new chunks
  let pending = 0;
  let need = 0; // bytes the record at base needs before framing is worth another pass
  let damaged = false;
  let failed = false;
  let ended = false;
  let paused = false;
  let flushed = false;
  const held = []; // framed blocks not yet delivered: { buffer, ranges, at, end, count }
  const notify = () => { const w = s.wake; s.wake = null; if (w) w(); };

  const frame = (block) => {
    const len = block.length;
    room(len);
    mem.set(block, AT);
    const ranges = [];
    let at = 0;
    let bad = false;
    for (;;) {
      const count = k.scan(AT + at, AT + len, OUT, d.maxRecords, s.verify ? 1 : 0);
      const w = new Int32Array(k.memory.buffer, OUT, count * 3);
      for (let j = 0; j < count; j++) {
        if (w[3 * j + 2] !== 0) { bad = true; break; }
        ranges.push(w[3 * j] - AT, w[3 * j + 1]);
        at = w[3 * j] - AT + w[3 * j + 1] + 4;
      }
      if (bad || count < d.maxRecords) break;
    }
    need = 0;
    if (!bad && at < len) {
      if (len - at >= 12) {
        need = claim(block, at);
        bad = need < 0;
      } else need = 12;
      if (!bad) {
        const tail = new Uint8Array(block.subarray(at)); // a copy: the block is transferred
        pieces = [tail];
        pending = tail.length;
      }
    }
    if (ranges.length > 0) held.push({ buffer: block.buffer, ranges: new Int32Array(ranges), at: base, end: base + at, count: ranges.length >> 1 });
    base += at;
    if (bad) damaged = true;
  };

  const onData = (c) => {
    produced += c.length;
    if (!damaged) {
      pieces.push(c);
      pending += c.length;
      if (pending >= need && pending >= d.minBlock) {
        const block = joined(pieces, pending);
        pieces = [];
        pending = 0;
        frame(block);
      }
    }
    notify();
  };

  // Resolves at 'drain', or at once when zlib is gone (a write after an error never drains).
  const drained = () => new Promise((resolve) => {
    if (z.destroyed) return resolve();
    const done = () => { z.off('drain', done); z.off('close', done); resolve(); };
    z.on('drain', done);
    z.on('close', done);
  });

  const feed = async (size) => {
    const readAt = (at, n) => {
      const buf = new Uint8Array(n);
      return (async () => {
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, at + got);
          if (bytesRead === 0) throw new Error('the file shrank');
          got += bytesRead;
        }
        return buf;
      })();
    };
    let pos = 0;
    reading = readAt(0, Math.min(d.inBlock, size));
    while (reading) {
      const buf = await reading;
      pos += buf.length;
      // One block is read ahead (on libuv's pool) while this one goes into zlib.
      reading = pos < size ? readAt(pos, Math.min(d.inBlock, size - pos)) : null;
      for (let at = 0; at < buf.length; at += d.inSlice) {
        if (s.closed || failed) return;
        if (!z.write(buf.subarray(at, at + d.inSlice))) await drained();
      }
    }
    if (!s.closed && !failed) z.end();
  };

  const stop = () => parentPort.postMessage({ id: s.id, stop: true, offset, index });
  try {
    fh = await open(s.path, 'r');
    const size = (await fh.stat()).size;
    if (size === 0) {
      // Zero bytes are an empty stream (zero records), as TensorFlow reads an empty file.
      parentPort.postMessage({ id: s.id, end: true, index });
      return;
    }
    const opts = { chunkSize: d.outChunk, writableHighWaterMark: d.inSlice * 4 };
    z = s.compression === 'gzip' ? zlib.createGunzip(opts) : zlib.createInflate(opts);
    z.on('data', onData);
    z.on('end', () => { ended = true; notify(); });
    z.on('error', () => { failed = true; notify(); });
    feeding = feed(size).catch(() => { failed = true; notify(); });
    for (;;) {
      if (s.closed) break;
      if (failed) { stop(); break; }
      if (ended && !flushed && pending > 0 && !damaged) {
        // What zlib gave last, framed even if short of a whole block.
        flushed = true;
        const block = joined(pieces, pending);
        pieces = [];
        pending = 0;
        frame(block);
      }
      while (held.length > 0 && s.credit > 0 && (ended || held[0].end <= produced - d.margin)) {
        const b = held.shift();
        s.credit--;
        parentPort.postMessage({ id: s.id, buffer: b.buffer, ranges: b.ranges, offset: b.at, index, verified: b.count, heads: null }, [b.buffer, b.ranges.buffer]);
        index += b.count;
        offset = b.end;
      }
      if (ended && held.length === 0) {
        // A clean end with bytes left over is a record cut short: the reader reports it.
        if (damaged || pending > 0) stop();
        else parentPort.postMessage({ id: s.id, end: true, index });
        break;
      }
      if (damaged && !ended) { stop(); break; }
      // zlib waits while a block that may go waits for the reader's credit.
      const waiting = held.length > 0 && (ended || held[0].end <= produced - d.margin);
      if (waiting && !paused) { z.pause(); paused = true; }
      if (!waiting && paused) { z.resume(); paused = false; }
      await new Promise((r) => (s.wake = r));
    }
  } catch (e) {
    stop();
  } finally {
    streams.delete(s.id);
    if (z) z.destroy();
    if (feeding) await feeding;
    if (reading) await reading.catch(() => null);
    if (fh) await fh.close().catch(() => {});
    parentPort.postMessage({ id: s.id, closed: true });
  }
}
`;
