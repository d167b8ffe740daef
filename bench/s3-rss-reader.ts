// Reads the TFRecord object named by argv[2] to its end and prints its record count and the
// process's peak RSS against bench:io's 200 MB bound; exits 1 past it. The peak is the kernel's
// own high-water mark, which no sampling interval can miss: VmHWM of /proc/self/status, which
// belongs to this program's memory alone. Not getrusage's maxrss: Linux carries it over from
// the parent across fork and exec, so a reader spawned by a bench that had just written a
// 600 MB file reported the bench's peak, not its own. argv[3] may set numParallelReads.
import { readFileSync } from 'node:fs';
import { readTFRecord } from '../src/io/tfrecord-reader.js';

/** This process's peak resident set in bytes (maxrss where /proc is absent). */
function peakRss(): number {
  try {
    const kb = /^VmHWM:\s*(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024; // KiB
}

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
const peak = peakRss();
const s = (performance.now() - t0) / 1000;
console.log(`${records} records, ${(bytes / 1e6).toFixed(0)} MB of payload in ${s.toFixed(1)} s; RSS at start ${(base / 1e6).toFixed(0)} MB, peak ${(peak / 1e6).toFixed(0)} MB (bound < 200 MB)`);
if (peak >= 200e6) process.exitCode = 1;
