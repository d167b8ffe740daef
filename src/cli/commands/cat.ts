// recordflow cat: print the records of a TFRecord file, one per line.
import { COMPRESSION_OPTION, JSON_OPTION, UsageError, readCompressionFor, intOption, type Command } from '../command.js';
import { describeError } from '../errors.js';
import { formatExample } from '../example-format.js';
import { inputArg } from '../files.js';

export const cat: Command = {
  name: 'cat',
  summary: 'print the records of a TFRecord file, one per line',
  usage: 'FILE [--compression C] [--json | --raw] [--limit N]',
  details: `
FILE may be - for standard input, and any path that is not a regular file (a pipe, a FIFO,
/dev/stdin, <(...)) is read to its end. Default output is a readable summary of each tf.train.Example. --json prints each Example in
protobuf's canonical JSON mapping (as MessageToJson does: int64 as decimal strings, bytes as
base64), one per line, which \`recordflow pack\` turns back into the same bytes. --raw prints each
record's payload as base64, for files whose records are not Examples (event files, other protos).
On a corrupt or truncated file the records before the error are printed, then the error goes to
stderr and the exit code is 2 (bad input, as in every command). FILE may also be an
s3://bucket/key URL or a pattern (shards/train-*, s3://bucket/prefix/part-*): the records of
every match, in byte-wise name order.`,
  options: {
    compression: COMPRESSION_OPTION,
    json: JSON_OPTION,
    raw: { type: 'boolean', description: 'one base64 payload per line (any record type)' },
    limit: { type: 'string', value: 'N', description: 'stop after N records' },
  },
  positionals: { min: 1, max: 1, names: 'FILE' },
  async run(ctx) {
    const file = ctx.positionals[0]!;
    const limit = intOption(ctx.values, 'limit', Infinity, 0);
    const json = ctx.values.json === true;
    const raw = ctx.values.raw === true;
    if (json && raw) throw new UsageError('--json and --raw exclude each other');
    const compression = readCompressionFor(ctx.values, file);
    const { input, name } = await inputArg(file);
    const io = await import('../../io/index.js');

    let index = 0;
    let pending = '';
    const flush = async () => {
      if (pending) await ctx.stdout.write(pending);
      pending = '';
    };
    try {
      for await (const payload of io.readTFRecord(input, { compression, name })) {
        if (index >= limit || ctx.stdout.closed) break;
        let line: string;
        if (raw) line = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64');
        else {
          try {
            line = json ? io.exampleToJson(payload) : formatExample(index, io.decodeExample(payload));
          } catch (err) {
            await flush();
            const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
            throw new io.InputError(`record ${index} is not a tf.train.Example (${why}); use --raw for other payloads`, name);
          }
        }
        pending += line + '\n';
        if (pending.length > 1 << 16) await flush();
        index++;
      }
      await flush();
    } catch (err) {
      await flush();
      // Usage and a missing file were checked above (exit 2); whatever stops the reading itself
      // (damage, a record that is not an Example, an I/O error) fails the run after the records
      // before it, as the help text promises.
      const d = describeError(err);
      ctx.log(`recordflow cat: ${d.message}`);
      if (ctx.verbose && err instanceof Error && err.stack) ctx.log(err.stack);
      return d.exitCode;
    }
    return 0;
  },
};
