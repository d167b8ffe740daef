// recordflow index: write FILE.idx (one `offset length` line per record).
import { JSON_OPTION, type Command } from '../command.js';
import { assertFile } from '../files.js';

export const index: Command = {
  name: 'index',
  summary: 'write FILE.idx with the offset and length of every record',
  usage: 'FILE [--json]',
  details: `
Scans an uncompressed TFRecord file and writes FILE.idx, one "offset length" line per record
(the format vahidk/tfrecord and DALI use), for random access with readRecordAt.`,
  options: { json: JSON_OPTION },
  positionals: { min: 1, max: 1, names: 'FILE' },
  async run(ctx) {
    const file = ctx.positionals[0]!;
    await assertFile(file);
    const io = await import('../../io/index.js');
    const { offsets } = await io.indexTFRecord(file, { save: true });
    if (ctx.values.json === true) await ctx.stdout.json({ file, index: `${file}.idx`, records: offsets.length });
    else await ctx.stdout.line(`${file}.idx: ${offsets.length} records`);
    return 0;
  },
};
