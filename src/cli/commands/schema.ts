// recordflow schema: every feature key of the Examples with its kind, presence, list lengths,
// value ranges and distinct counts (what TFDV's inferred schema and statistics give).
import type { Command } from '../command.js';
import { decodeRecord, recordsOf } from '../inspect/examples.js';
import { INSPECT_OPTIONS, INSPECT_POSITIONALS, progressAfterASecond, resolveInputs, totalSize } from '../inspect/inputs.js';
import { SchemaStats, schemaTable } from '../inspect/schema-stats.js';

export const schema: Command = {
  name: 'schema',
  summary: 'the features of TFRecord Examples: kinds, presence, lengths, ranges, distinct counts',
  usage: 'FILE|PATTERN|-... [--compression C] [--json]',
  details: `
Reads every Example of the inputs and prints, per feature key: its kind (bytes, float, int64,
or none for a Feature with no list set), in how many records it is present, the least and
most values per record, for numbers the smallest, largest and mean value, and for bytes the
number of distinct values (exact up to 65,536, beyond that a HyperLogLog estimate with about
1% error; seeded, so the same on every run). --json prints
{"records": N, "features": {"<key>": {"kind", "present", "minLength", "maxLength", "min"?,
"max"?, "mean"?, "distinct"?}}} (int64 beyond 2^53 as decimal strings; "kinds" when records
disagree on a key's kind; "nan" when floats were NaN). PATTERN is a shard pattern expanded in
byte-wise order; - reads standard input (its compression as --compression says, else as its
first bytes show).`,
  options: INSPECT_OPTIONS,
  positionals: INSPECT_POSITIONALS,
  async run(ctx) {
    const inputs = await resolveInputs(ctx);
    const stats = new SchemaStats();
    const total = totalSize(inputs);
    const progress = progressAfterASecond(ctx, 'schema', total);
    let records = 0;
    let done = 0;
    let current = inputs[0];
    for await (const record of recordsOf(inputs)) {
      if (record.input !== current) {
        done += current?.size ?? 0;
        current = record.input;
      }
      stats.add(await decodeRecord(record));
      records++;
      if ((records & 255) === 0) progress.update(total === undefined ? records : done + Math.min(record.offset, record.input.size ?? 0), `${records} records`);
    }
    progress.finish(`${records} records`);
    const report = stats.report();
    if (ctx.values.json === true) {
      await ctx.stdout.json(report);
    } else {
      await ctx.stdout.line(`${report.records} records, ${Object.keys(report.features).length} features`);
      for (const line of schemaTable(report)) await ctx.stdout.line(line);
    }
    return 0;
  },
};
