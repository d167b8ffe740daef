// Reads the TFRecord object named by argv[2] to its end and prints its record count and the
// process's peak RSS (sampled every 10 ms) against bench:io's 200 MB bound; exits 1 past it.
import { readTFRecord } from '../src/io/tfrecord-reader.js';

const url = process.argv[2]!;
const base = process.memoryUsage().rss;
let peak = base;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
const t0 = performance.now();
let records = 0;
let bytes = 0;
for await (const r of readTFRecord(url)) {
  records++;
  bytes += r.length;
}
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
const s = (performance.now() - t0) / 1000;
console.log(`${records} records, ${(bytes / 1e6).toFixed(0)} MB of payload in ${s.toFixed(1)} s; RSS at start ${(base / 1e6).toFixed(0)} MB, peak ${(peak / 1e6).toFixed(0)} MB (bound < 200 MB)`);
if (peak >= 200e6) process.exitCode = 1;
