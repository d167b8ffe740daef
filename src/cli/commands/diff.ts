// recordflow diff: the first differing record (and feature) of two TFRecord files.
import { COMPRESSION_OPTION, JSON_OPTION, readCompressionFor, type Command } from '../command.js';
import { firstFeatureDifference } from '../example-format.js';
import { inputArg, stdinAtMostOnce } from '../files.js';

function firstByte(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

export const diff: Command = {
  name: 'diff',
  summary: 'show the first differing record and feature of two TFRecord files',
  usage: 'A B [--compression C] [--json]',
  details: `
Compares the records (decompressed payloads) of A and B in order; one of them may be - for
standard input, and pipes, FIFOs and <(...) are read to their end. For the first pair that
differs it names the record index and, when both are tf.train.Examples, the first differing
feature (keys in sorted order) and value. Exit code 0 when the files hold the same records,
1 when they differ, 2 on bad input. A or B may be an s3://bucket/key URL or a pattern (the records
of every match, in byte-wise name order).`,
  options: { compression: COMPRESSION_OPTION, json: JSON_OPTION },
  positionals: { min: 2, max: 2, names: 'A and B' },
  async run(ctx) {
    const [a, b] = ctx.positionals as [string, string];
    stdinAtMostOnce([a, b], 'A and B');
    const [sa, sb] = [await inputArg(a), await inputArg(b)];
    const io = await import('../../io/index.js');
    const ia = io.readTFRecord(sa.input, { compression: readCompressionFor(ctx.values, a), name: sa.name })[Symbol.asyncIterator]();
    const ib = io.readTFRecord(sb.input, { compression: readCompressionFor(ctx.values, b), name: sb.name })[Symbol.asyncIterator]();
    let record = 0;
    let result: { same: boolean; records?: number; record?: number; feature?: string; detail?: string };
    try {
      for (;;) {
        const [ra, rb] = await Promise.all([ia.next(), ib.next()]);
        if (ra.done && rb.done) {
          result = { same: true, records: record };
          break;
        }
        if (ra.done || rb.done) {
          result = { same: false, record, detail: ra.done ? `A ends after ${record} records, B has more` : `B ends after ${record} records, A has more` };
          break;
        }
        if (!sameBytes(ra.value, rb.value)) {
          let feature: string | undefined;
          let detail: string;
          try {
            const fa = io.decodeExample(ra.value);
            const fb = io.decodeExample(rb.value);
            const d = firstFeatureDifference(fa, fb);
            if (d) {
              feature = d.feature;
              detail = d.detail;
            } else detail = 'same features, different encoding (field order, packing or unknown fields)';
          } catch {
            detail = `payloads differ at byte ${firstByte(ra.value, rb.value)} (${ra.value.length} bytes in A, ${rb.value.length} in B)`;
          }
          result = { same: false, record, ...(feature !== undefined ? { feature } : {}), detail };
          break;
        }
        record++;
      }
    } finally {
      await Promise.all([ia.return?.(), ib.return?.()]);
    }
    if (ctx.values.json === true) await ctx.stdout.json({ a, b, ...result });
    else if (result.same) await ctx.stdout.line(`same: ${result.records} records`);
    else {
      const where = `record ${result.record}` + (result.feature !== undefined ? `, feature "${result.feature}"` : '');
      await ctx.stdout.line(`differ at ${where}: ${result.detail}`);
    }
    return result.same ? 0 : 1;
  },
};
