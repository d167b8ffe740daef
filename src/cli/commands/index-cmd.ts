// recordflow index: write FILE.idx (one `offset length` line per record).
import { JSON_OPTION, type Command } from '../command.js';
import { stat } from 'node:fs/promises';
import { STDIN_ARG, STDIN_NAME, assertFile, expandFileArgs } from '../files.js';
import { isS3Url } from '../../storage/url.js';

export const index: Command = {
  name: 'index',
  summary: 'write FILE.idx with the offset and length of every record',
  usage: 'FILE [--json]',
  details: `
Reads an uncompressed TFRecord file, checking both CRCs of every record, and writes FILE.idx,
one "offset length" line per record (the format vahidk/tfrecord and DALI use), for random access
with readRecordAt; a damaged file writes no index (exit 2). For - (standard
input) or any other stream (a pipe, a FIFO, <(...)) there is no file to put FILE.idx beside: the
index lines go to stdout instead (with --json, one object with the offsets and lengths), after
every record was read and checked. FILE may be an s3://bucket/key URL (KEY.idx is stored beside
the object) or a pattern (train-*.tfr, s3://bucket/shards/part-*), which indexes every match.`,
  options: { json: JSON_OPTION },
  positionals: { min: 1, max: 1, names: 'FILE' },
  async run(ctx) {
    const arg = ctx.positionals[0]!;
    const io = await import('../../io/index.js');
    const local = arg !== STDIN_ARG && !isS3Url(arg) && !io.hasPattern(arg);
    if (arg === STDIN_ARG || (local && !(await stat(arg).then((s) => s.isFile() || s.isDirectory(), () => true)))) {
      return indexStream(ctx, arg === STDIN_ARG ? process.stdin : arg, arg === STDIN_ARG ? STDIN_NAME : arg, io);
    }
    await assertFile(arg);
    // A pattern indexes every file (or object) it matches; an object's index is stored as KEY.idx.
    for (const file of await expandFileArgs([arg])) {
      const { offsets } = await io.indexTFRecord(file, { save: true, verify: true });
      if (ctx.values.json === true) await ctx.stdout.json({ file, index: `${file}.idx`, records: offsets.length });
      else await ctx.stdout.line(`${file}.idx: ${offsets.length} records`);
    }
    return 0;
  },
};

/** A stream's index, from its framing as it is read: printed, since it has no place to be saved. */
async function indexStream(
  ctx: Parameters<Command['run']>[0],
  input: string | NodeJS.ReadableStream,
  name: string,
  io: typeof import('../../io/index.js'),
): Promise<number> {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  // Everything is read and checked before the first line goes out: a damaged stream prints no
  // partial index.
  for await (const payload of io.readTFRecord(input, { compression: 'none', name })) {
    offsets.push(at);
    lengths.push(payload.byteLength + 16);
    at += payload.byteLength + 16;
  }
  if (ctx.values.json === true) await ctx.stdout.json({ file: name, records: offsets.length, offsets, lengths });
  else {
    let text = '';
    for (let i = 0; i < offsets.length; i++) text += `${offsets[i]} ${lengths[i]}\n`;
    await ctx.stdout.write(text);
  }
  return 0;
}
