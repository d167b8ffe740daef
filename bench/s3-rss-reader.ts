// Reads the TFRecord object named by argv[2] to its end and prints its record count and the
// process's peak RSS against bench:io's 200 MB bound; exits 1 past it. The peak is the kernel's
// own high-water mark (getrusage's maxrss), which no sampling interval can miss; argv[3] may
// set numParallelReads.
import { readTFRecord } from '../src/io/tfrecord-reader.js';

const url = process.argv[2]!;
const numParallelReads = Number(process.argv[3] ?? 1);
const base = process.memoryUsage().rss;
const t0 = performance.now();
let records = 0;
let bytes = 0;
for await (const r of readTFRecord(url, { numParallelReads })) {
  records++;
  bytes += r.length;
}
// maxRSS is in kilobytes (KiB).
const peak = process.resourceUsage().maxRSS * 1024;
const s = (performance.now() - t0) / 1000;
console.log(`${records} records, ${(bytes / 1e6).toFixed(0)} MB of payload in ${s.toFixed(1)} s; RSS at start ${(base / 1e6).toFixed(0)} MB, peak ${(peak / 1e6).toFixed(0)} MB (bound < 200 MB)`);
if (peak >= 200e6) process.exitCode = 1;
