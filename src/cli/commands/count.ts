// recordflow count: records per file and in total, from the framing alone (no Example decoding).
import type { Command } from '../command.js';
import { inputRecords } from '../inspect/examples.js';
import { INSPECT_OPTIONS, INSPECT_POSITIONALS, progressAfterASecond, resolveInputs, totalSize, type InspectInput } from '../inspect/inputs.js';

export interface CountResult {
  files: { path: string; records: number }[];
  total: number;
}

/**
 * Counts the records of each input. Uncompressed files are walked header to header (a long
 * record's payload is jumped over, never read); compressed files and standard input are
 * inflated and framed. Length CRCs are checked, payload CRCs are not (`verify` checks those).
 */
export async function countRecords(inputs: readonly InspectInput[], onProgress?: (bytes: number, records: number) => void): Promise<CountResult> {
  const io = await import('../../io/index.js');
  const files: CountResult['files'] = [];
  let total = 0;
  let doneBytes = 0;
  for (const input of inputs) {
    let records = 0;
    // Local files only: on an object every header would be a ranged GET of its own.
    if (typeof input.source === 'string' && input.size !== undefined && input.compression === 'none') {
      records = (await io.indexTFRecord(input.source, { save: false })).offsets.length;
    } else {
      let bytes = 0;
      const stream = await inputRecords(input, false);
      for await (const chunk of io.chunksOf(stream)) {
        records += chunk.length;
        for (const r of chunk) bytes += r.length + 16;
        onProgress?.(doneBytes + Math.min(bytes, input.size ?? bytes), total + records);
      }
    }
    files.push({ path: input.name, records });
    total += records;
    doneBytes += input.size ?? 0;
    onProgress?.(doneBytes, total);
  }
  return { files, total };
}

export const count: Command = {
  name: 'count',
  summary: 'count the records of TFRecord files (per file and in total), from the framing alone',
  usage: 'FILE|PATTERN|-... [--compression C] [--json]',
  details: `
Counts records without decoding them: uncompressed files are walked from one record header to
the next (payloads are skipped, not read), compressed files and standard input (-) are inflated
and framed. Length CRCs are checked; payload CRCs are not (\`recordflow verify\` checks those).
PATTERN is a shard pattern (*, ?, [...]) expanded in byte-wise order; standard input is gzip,
zlib or plain as --compression says, else as its first bytes show. --json prints
{"files": [{"path", "records"}], "total"}.`,
  options: INSPECT_OPTIONS,
  positionals: INSPECT_POSITIONALS,
  async run(ctx) {
    const inputs = await resolveInputs(ctx);
    const progress = progressAfterASecond(ctx, 'count', totalSize(inputs));
    const result = await countRecords(inputs, (bytes, records) => progress.update(bytes, `${records} records`));
    progress.finish(`${result.total} records`);
    if (ctx.values.json === true) {
      await ctx.stdout.json(result);
    } else {
      const width = String(result.total).length;
      for (const f of result.files) await ctx.stdout.line(`${String(f.records).padStart(width)}  ${f.path}`);
      if (result.files.length > 1) await ctx.stdout.line(`${String(result.total).padStart(width)}  total`);
    }
    return 0;
  },
};
