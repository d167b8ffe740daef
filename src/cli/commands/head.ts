// recordflow head: the first N Examples of files, shard patterns or standard input.
import { intOption, type Command } from '../command.js';
import { formatExample } from '../example-format.js';
import type { DecodedFeatures } from '../../io/index.js';
import { decodeRecord, recordsOf } from '../inspect/examples.js';
import { INSPECT_OPTIONS, INSPECT_POSITIONALS, progressAfterASecond, resolveInputs } from '../inspect/inputs.js';

export const head: Command = {
  name: 'head',
  summary: 'print the first N Examples of TFRecord files, shard patterns or standard input',
  usage: 'FILE|PATTERN|-... [-n N] [--compression C] [--json]',
  details: `
Prints the first N tf.train.Examples (default 10) of the inputs taken in order, as cat does:
a readable summary per Example, each line headed by its index in its file (with a "==> FILE <=="
line before each file when there are several), or with --json one Example per line in
protobuf's canonical JSON mapping, which \`recordflow pack\` reads back. PATTERN is a shard
pattern (*, ?, [...]) expanded in byte-wise order; - reads standard input (its compression as
--compression says, else as its first bytes show).`,
  options: {
    limit: { type: 'string', short: 'n', value: 'N', description: 'number of Examples', defaultText: '10' },
    ...INSPECT_OPTIONS,
  },
  positionals: INSPECT_POSITIONALS,
  async run(ctx) {
    const n = intOption(ctx.values, 'limit', 10, 0);
    const json = ctx.values.json === true;
    const inputs = await resolveInputs(ctx);
    const io = await import('../../io/index.js');
    const progress = progressAfterASecond(ctx, 'head', n);
    let shown = 0;
    let current: string | undefined;
    if (n > 0) {
      for await (const record of recordsOf(inputs)) {
        if (ctx.stdout.closed) break;
        let line: string;
        if (json) {
          await decodeRecord(record);
          line = io.exampleToJson(record.payload);
        } else {
          const example = await decodeRecord(record);
          if (inputs.length > 1 && current !== record.input.name) {
            current = record.input.name;
            await ctx.stdout.line(`${shown > 0 ? '\n' : ''}==> ${current} <==`);
          }
          line = formatExample(record.index, example as DecodedFeatures);
        }
        await ctx.stdout.line(line);
        progress.update(++shown);
        if (shown >= n) break;
      }
    }
    progress.finish(`${shown} Examples`);
    return 0;
  },
};
