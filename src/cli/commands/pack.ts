// recordflow pack: the inverse of `cat --json` (or `cat --raw`): JSON lines in, TFRecord out.
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { COMPRESSION_OPTION, JSON_OPTION, compressionFor, type Command } from '../command.js';
import { fileError } from '../../core/errors.js';
import { assertFile } from '../files.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const pack: Command = {
  name: 'pack',
  summary: 'write a TFRecord file from JSON lines (the inverse of cat --json)',
  usage: 'IN.jsonl OUT [--compression C] [--raw] [--json]',
  details: `
Each non-empty line of IN (- for stdin) is one tf.train.Example in protobuf's JSON mapping, as
\`recordflow cat --json\` prints it; with --raw each line is a base64 payload (cat --raw), and an
empty line is an empty record.
\`recordflow cat --json F | recordflow pack - G\` gives a G byte-identical to F whenever F was
written deterministically. OUT is written under a temporary name and renamed when complete; on
a bad line nothing is left behind and the exit code is 2. OUT may be an s3://bucket/key URL: a
multipart upload that creates the object only when every line was packed.`,
  options: {
    compression: COMPRESSION_OPTION,
    raw: { type: 'boolean', description: 'lines are base64 payloads, not Example JSON' },
    json: JSON_OPTION,
  },
  positionals: { min: 2, max: 2, names: 'IN and OUT' },
  async run(ctx) {
    const [input, out] = ctx.positionals as [string, string];
    const raw = ctx.values.raw === true;
    const compression = compressionFor(ctx.values, out);
    const inName = input === '-' ? '<stdin>' : input;
    // Open first so a missing input fails before OUT is touched.
    if (input !== '-') await assertFile(input);
    const handle = input === '-' ? undefined : await open(input, 'r').catch((e: unknown) => Promise.reject(fileError(e, input)));
    const stream = handle ? handle.createReadStream() : process.stdin;
    const io = await import('../../io/index.js');

    async function* payloads(): AsyncGenerator<Uint8Array> {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      let lineNo = 0;
      try {
        for await (const line of lines) {
          lineNo++;
          const text = line.trim();
          // In raw mode an empty line is an empty payload (cat --raw prints it so); JSON skips blanks.
          if (text === '' && !raw) continue;
          if (raw) {
            if (!BASE64.test(text) || text.length % 4 !== 0) throw new io.InputError(`line ${lineNo}: not base64`, inName);
            yield new Uint8Array(Buffer.from(text, 'base64'));
          } else {
            try {
              yield io.exampleFromJson(text);
            } catch (err) {
              const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
              throw new io.InputError(`line ${lineNo}: ${why}`, inName);
            }
          }
        }
      } finally {
        lines.close();
      }
    }

    try {
      const { records, bytes } = await io.writeTFRecord(out, payloads(), { compression });
      if (ctx.values.json === true) await ctx.stdout.json({ file: out, records, bytes, compression });
      else ctx.log(`${out}: ${records} records, ${bytes} bytes`);
    } finally {
      await handle?.close();
    }
    return 0;
  },
};
