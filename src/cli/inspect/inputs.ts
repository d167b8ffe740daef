// The inputs of the inspection commands (head, count, schema): files and s3:// objects, shard
// patterns expanded by io's expandInputs, and `-` for standard input; and a progress line that
// shows up only once an input turns out to be long.
import { stat } from 'node:fs/promises';
import { COMPRESSIONS } from '../../io/compression.js';
import { COMPRESSION_OPTION, JSON_OPTION, choiceOption, compressionFor, type Command, type CommandContext } from '../command.js';
import { STDIN_ARG, assertFile, expandFileArgs, stdinAtMostOnce } from '../files.js';
import { isS3Url } from '../../storage/url.js';
import type { Progress } from '../progress.js';
import type { Compression } from '../../io/index.js';

export interface InspectInput {
  /** The path, or `-` for standard input. */
  name: string;
  source: string | NodeJS.ReadableStream;
  /** Undefined for standard input without --compression: its first bytes tell (stdin.ts). */
  compression?: Compression;
  /** Bytes on disk (undefined for standard input and objects). */
  size?: number;
}

/** Options every inspection command takes besides its own. */
export const INSPECT_OPTIONS: Command['options'] = { compression: COMPRESSION_OPTION, json: JSON_OPTION };
export const INSPECT_POSITIONALS: Command['positionals'] = { min: 1, max: Infinity, names: 'FILE, PATTERN or -' };

/** Expands patterns (local or s3://) and checks every file exists before anything is read. */
export async function resolveInputs(ctx: CommandContext, stdin: NodeJS.ReadableStream = process.stdin): Promise<InspectInput[]> {
  stdinAtMostOnce(ctx.positionals, 'the inputs');
  const out: InspectInput[] = [];
  for (const file of await expandFileArgs(ctx.positionals)) {
    if (file === STDIN_ARG) {
      const given = choiceOption(ctx.values, 'compression', COMPRESSIONS);
      out.push({ name: STDIN_ARG, source: stdin, ...(given !== undefined ? { compression: given } : {}) });
      continue;
    }
    await assertFile(file);
    const size = isS3Url(file) ? {} : { size: (await stat(file)).size };
    out.push({ name: file, source: file, compression: compressionFor(ctx.values, file), ...size });
  }
  return out;
}

/** Total bytes on disk of the inputs, or undefined when one is standard input. */
export function totalSize(inputs: readonly InspectInput[]): number | undefined {
  let total = 0;
  for (const i of inputs) {
    if (i.size === undefined) return undefined;
    total += i.size;
  }
  return total;
}

/** Progress that stays silent for the first second: short inputs print nothing extra. */
export function progressAfterASecond(ctx: CommandContext, label: string, total: number | undefined): Progress {
  const started = Date.now();
  let bar: Progress | undefined;
  return {
    update(done, status) {
      if (bar === undefined && Date.now() - started < 1000) return;
      bar ??= ctx.progress(label, total);
      bar.update(total === undefined ? done : Math.min(done, total), status);
    },
    finish(status) {
      bar?.finish(status);
    },
  };
}
