// The inputs of the inspection commands (head, count, schema): files, shard patterns expanded
// by io's expandInputs, and `-` for standard input; and a progress line that shows up only once
// an input turns out to be long.
import { stat } from 'node:fs/promises';
import { COMPRESSION_OPTION, JSON_OPTION, UsageError, compressionFor, type Command, type CommandContext } from '../command.js';
import { assertFile } from '../files.js';
import type { Progress } from '../progress.js';
import type { Compression } from '../../io/index.js';

export interface InspectInput {
  /** The path, or `-` for standard input. */
  name: string;
  source: string | NodeJS.ReadableStream;
  compression: Compression;
  /** Bytes on disk (undefined for standard input). */
  size?: number;
}

/** Options every inspection command takes besides its own. */
export const INSPECT_OPTIONS: Command['options'] = { compression: COMPRESSION_OPTION, json: JSON_OPTION };
export const INSPECT_POSITIONALS: Command['positionals'] = { min: 1, max: Infinity, names: 'FILE, PATTERN or -' };

/** Expands patterns and checks every file exists before anything is read. */
export async function resolveInputs(ctx: CommandContext, stdin: NodeJS.ReadableStream = process.stdin): Promise<InspectInput[]> {
  if (ctx.positionals.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  const { expandInputs } = await import('../../io/index.js');
  const out: InspectInput[] = [];
  for (const p of ctx.positionals) {
    if (p === '-') {
      out.push({ name: '-', source: stdin, compression: compressionFor(ctx.values, '') });
      continue;
    }
    for (const file of await expandInputs([p])) {
      await assertFile(file);
      out.push({ name: file, source: file, compression: compressionFor(ctx.values, file), size: (await stat(file)).size });
    }
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
