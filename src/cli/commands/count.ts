// recordflow count: records per file and in total (no Example decoding).
import type { Command } from '../command.js';
import { inputRecords } from '../inspect/examples.js';
import { INSPECT_OPTIONS, INSPECT_POSITIONALS, progressAfterASecond, resolveInputs, totalSize, type InspectInput } from '../inspect/inputs.js';

export interface CountResult {
  files: { path: string; records: number }[];
  total: number;
}

/**
 * Counts the records of each input, checking both CRCs of every record as every other command
 * does (a damaged file is an error here too, never a count). With `headersOnly`, uncompressed
 * local files are walked header to header instead (a long record's payload is jumped over,
 * never read) and payload CRCs go unchecked: only the framing is vouched for.
 */
export async function countRecords(
  inputs: readonly InspectInput[],
  onProgress?: (bytes: number, records: number) => void,
  options: { headersOnly?: boolean } = {},
): Promise<CountResult> {
  const io = await import('../../io/index.js');
  const headersOnly = options.headersOnly === true;
  const files: CountResult['files'] = [];
  let total = 0;
  let doneBytes = 0;
  for (const input of inputs) {
    let records = 0;
    // Local files only: on an object every header would be a ranged GET of its own.
    if (headersOnly && typeof input.source === 'string' && input.size !== undefined && input.compression === 'none') {
      records = (await io.indexTFRecord(input.source, { save: false })).offsets.length;
    } else {
      let bytes = 0;
      const stream = await inputRecords(input, !headersOnly);
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
  summary: 'count the records of TFRecord files (per file and in total), without decoding them',
  usage: 'FILE|PATTERN|-... [--compression C] [--headers-only] [--json]',
  details: `
Counts records without decoding them, checking both CRCs of every record: a damaged file is
refused with exit 2, as in every command, not counted. --headers-only walks uncompressed local
files from one record header to the next instead (payloads are skipped, not read: fast on large
records) and leaves payload CRCs unchecked (\`recordflow verify\` checks them); compressed files
and standard input (-) are still inflated and framed; standard input is gzip, zlib or plain as
--compression says, else as its first bytes show. PATTERN is a shard pattern (*, ?, [...])
expanded in byte-wise order. --json prints {"files": [{"path", "records"}], "total"}.`,
  options: { ...INSPECT_OPTIONS, 'headers-only': { type: 'boolean', description: 'walk the record headers only (payload CRCs unchecked)' } },
  positionals: INSPECT_POSITIONALS,
  async run(ctx) {
    const inputs = await resolveInputs(ctx);
    const progress = progressAfterASecond(ctx, 'count', totalSize(inputs));
    const result = await countRecords(inputs, (bytes, records) => progress.update(bytes, `${records} records`), { headersOnly: ctx.values['headers-only'] === true });
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
