// The worker's part for uncompressed files (plain JS, run with `eval: true` inside the worker
// that tfrecord-worker.ts starts): the wasm kernel's setup shared by every kind of stream, and
// `run(s)`, which reads one file in blocks, frames and checks them and transfers them to the
// reader. How blocks, records straddling them and damage are handled is told in
// tfrecord-worker.ts.

/** Worker source: the kernel setup and helpers every stream uses, and `run` for plain files. */
export const PLAIN_SOURCE = `
const { parentPort, workerData: d } = require('node:worker_threads');
const { open } = require('node:fs/promises');
const k = new WebAssembly.Instance(d.module).exports;
new Int32Array(k.memory.buffer, 0, 4096).set(d.tables);
const OUT = d.framesAt;
const AT = d.freeAt;
let mem = new Uint8Array(k.memory.buffer);
function room(n) {
  const need = AT + n - k.memory.buffer.byteLength;
  if (need > 0) k.memory.grow(Math.ceil(need / 65536));
  mem = new Uint8Array(k.memory.buffer);
}
room(16);
// The first part of a large payload's CRC is computed here, the rest by the reader's thread from
// that state on, so the two threads share the work (the reader's share is all its work).
function head(buf, start, len, heads = []) {
  const n = Math.floor(len * d.share) & ~15;
  let c = 0;
  if (n > 0) {
    room(n);
    mem.set(buf.subarray(start, start + n), AT);
    c = k.crc(AT, n, 0);
  }
  heads.push(n, c);
  return heads;
}
function u32(b, p) { return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0; }
function masked(x) { return ((((x >>> 15) | (x << 17)) >>> 0) + 0xa282ead8) >>> 0; }
const streams = new Map();

function concat(a, b) {
  const out = new Uint8Array(new ArrayBuffer(a.length + b.length));
  out.set(a);
  out.set(b, a.length);
  return out;
}
/** The framed length (header to CRC) the header at h[p] claims; -1 if bad or too large. */
function claim(h, p) {
  mem.set(h.subarray(p, p + 8), AT);
  if (masked(k.crc(AT, 8, 0) >>> 0) !== u32(h, p + 8) || u32(h, p + 4) !== 0) return -1;
  const n = u32(h, p) + 16;
  return n <= d.maxRecord ? n : -1;
}

async function run(s) {
  let fh;
  let ahead = null; // the read of the next raw block, in flight
  let offset = 0; // stream offset of the first byte not yet delivered
  let index = 0;
  const stop = (why) => parentPort.postMessage({ id: s.id, stop: true, offset, index, why });
  const post = async (buffer, ranges, at, verified, heads) => {
    s.credit--;
    const count = ranges.length >> 1; // read before the transfer empties it
    const h = heads ? new Int32Array(heads) : null;
    parentPort.postMessage({ id: s.id, buffer, ranges, offset: at, index, verified, heads: h }, h ? [buffer, ranges.buffer, h.buffer] : [buffer, ranges.buffer]);
    index += count;
    while (s.credit <= 0 && !s.closed) await new Promise((r) => (s.wake = r));
  };
  try {
    fh = await open(s.path, 'r');
    const size = (await fh.stat()).size;
    let pos = 0; // file position of the next raw read
    let bsize = d.block;
    const readRaw = () => {
      const n = Math.min(bsize, size - pos);
      if (n <= 0) return null;
      const at = pos;
      pos += n;
      const buf = new Uint8Array(new ArrayBuffer(n));
      return (async () => {
        let got = 0;
        while (got < n) {
          const { bytesRead } = await fh.read(buf, got, n - got, at + got);
          if (bytesRead === 0) return null;
          got += bytesRead;
        }
        return buf;
      })();
    };
    // One raw block is read ahead (on libuv's pool) while this one is framed and checked.
    ahead = readRaw();
    let carry = null; // copy of a record begun in earlier blocks
    let need = 0; // its framed length once its header is complete
    for (;;) {
      if (s.closed) break;
      if (!ahead) {
        if (carry) stop('truncated');
        else parentPort.postMessage({ id: s.id, end: true, index });
        break;
      }
      const raw = await ahead;
      if (!raw) { stop('the file shrank'); break; }
      const rawAt = pos - raw.length; // stream offset of raw[0]
      ahead = readRaw();
      let from = 0;
      if (carry) {
        if (need === 0) {
          const h = concat(carry, raw.subarray(0, Math.min(raw.length, 12 - carry.length)));
          from = h.length - carry.length;
          carry = h;
          if (h.length < 12) continue;
          need = claim(h, 0);
          if (need < 0) { stop('header'); break; }
        }
        const take = Math.min(raw.length - from, need - carry.length);
        carry = concat(carry, raw.subarray(from, from + take));
        from += take;
        if (carry.length < need) continue;
        // A large record completed from pieces: the reader's thread finishes its payload check.
        const at = offset;
        offset += need;
        const rec = carry;
        carry = null;
        need = 0;
        await post(rec.buffer, new Int32Array([12, rec.length - 16]), at, s.verify ? 0 : 1, s.verify ? head(rec, 12, rec.length - 16) : null);
        if (s.closed) break;
      }
      const len = raw.length - from;
      const ranges = [];
      const heads = [];
      let at = 0; // relative to raw[from]
      let bad = false;
      // Large records (blocks grown for them): framed here from their headers alone, the CRC of
      // their payloads shared with the reader's thread. Small records: the whole block goes
      // through the kernel's scan.
      const split = bsize > d.block;
      if (split) {
        while (len - at >= 16) {
          const n = claim(raw, from + at);
          if (n < 0 || at + n > len) break;
          ranges.push(from + at + 12, n - 16);
          if (s.verify) head(raw, from + at + 12, n - 16, heads);
          at += n;
        }
      } else {
        room(len);
        mem.set(raw.subarray(from), AT);
        for (;;) {
          const count = k.scan(AT + at, AT + len, OUT, d.maxRecords, s.verify ? 1 : 0);
          const w = new Int32Array(k.memory.buffer, OUT, count * 3);
          for (let j = 0; j < count; j++) {
            if (w[3 * j + 2] !== 0) { bad = true; break; }
            ranges.push(from + w[3 * j] - AT, w[3 * j + 1]);
            at = w[3 * j] - AT + w[3 * j + 1] + 4;
          }
          if (bad || count < d.maxRecords) break;
        }
      }
      // What stops framing short of the block's end: a bad payload, or a record not whole in
      // it, which is carried on when its header checks out and the file holds the rest.
      let fine = !bad;
      if (fine && at < len) {
        const left = len - at;
        if (left >= 12) {
          const n = claim(raw, from + at);
          fine = n >= 0 && rawAt + from + at + n <= size;
          if (fine) {
            need = n;
            // Blocks of about four such records: fewer of them straddle.
            while (bsize < 4 * n && bsize < d.maxRecord) bsize *= 2;
          }
        } else fine = size - (rawAt + raw.length) >= 12 - left;
        if (fine) carry = raw.slice(from + at);
      }
      offset += at;
      if (ranges.length > 0) {
        const shared = s.verify && split;
        await post(raw.buffer, new Int32Array(ranges), rawAt, shared ? 0 : ranges.length >> 1, shared ? heads : null);
      }
      if (!fine) { stop(bad ? 'payload CRC' : 'header'); break; }
    }
  } catch (e) {
    stop(String(e));
  } finally {
    streams.delete(s.id);
    // Never close the descriptor under a read in flight.
    if (ahead) await ahead.catch(() => null);
    if (fh) await fh.close().catch(() => {});
    parentPort.postMessage({ id: s.id, closed: true });
  }
}

`;
