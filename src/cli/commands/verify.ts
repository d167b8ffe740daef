// recordflow verify: check every record's CRCs (and optionally that each is an Example).
import { COMPRESSION_OPTION, JSON_OPTION, readCompressionFor, type Command } from '../command.js';
import { describeError } from '../errors.js';
import { STDIN_ARG, STDIN_NAME, expandFileArgs, inputArg, stdinAtMostOnce } from '../files.js';

export const verify: Command = {
  name: 'verify',
  summary: 'check the framing and CRCs of TFRecord files and count their records',
  usage: 'FILE... [--examples] [--compression C] [--json]',
  details: `
Reads every record of every FILE (- is standard input; pipes, FIFOs and other streams are read
to their end) with both CRC checks and prints the record count per file.
With --examples each record must also parse as a tf.train.Example. A bad file prints the error
(kind, record index, offset) and the exit code is 2 (bad input, as in every command); the other
files are still checked. A FILE may be an s3://bucket/key URL or a pattern (each match is
checked and reported on its own).`,
  options: {
    examples: { type: 'boolean', description: 'also parse each record as a tf.train.Example' },
    compression: COMPRESSION_OPTION,
    json: JSON_OPTION,
  },
  positionals: { min: 1, max: Infinity, names: 'FILE' },
  async run(ctx) {
    const io = await import('../../io/index.js');
    const json = ctx.values.json === true;
    let exit = 0;
    stdinAtMostOnce(ctx.positionals, 'the FILEs');
    for (const file of await expandFileArgs(ctx.positionals)) {
      const label = file === STDIN_ARG ? STDIN_NAME : file;
      let records = 0;
      let bytes = 0;
      try {
        const compression = readCompressionFor(ctx.values, file);
        const { input, name } = await inputArg(file);
        for await (const payload of io.readTFRecord(input, { compression, verify: true, name })) {
          if (ctx.values.examples === true) {
            try {
              io.decodeExample(payload);
            } catch (err) {
              const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
              throw new io.InputError(`record ${records} is not a tf.train.Example (${why})`, name);
            }
          }
          records++;
          bytes += payload.byteLength;
        }
        if (json) await ctx.stdout.json({ file, ok: true, records, payloadBytes: bytes });
        else await ctx.stdout.line(`${label}: OK, ${records} records, ${bytes} payload bytes`);
      } catch (err) {
        const d = describeError(err);
        exit = Math.max(exit, d.exitCode);
        if (json) await ctx.stdout.json({ file, ok: false, records, error: d.message });
        ctx.log(`recordflow verify: ${d.message.startsWith(label) ? '' : `${label}: `}${d.message}`);
        if (ctx.verbose && err instanceof Error && err.stack) ctx.log(err.stack);
      }
    }
    return exit;
  },
};
