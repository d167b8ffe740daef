// What a subcommand is: its help text, its options (node:util parseArgs), and its run function.
// Commands import the other rooms lazily inside run(), so a room that is missing or broken only
// breaks the commands that need it.
import { compressionFromName, COMPRESSIONS, type Compression } from '../io/compression.js';
import type { Output } from './output.js';
import type { Progress } from './progress.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Placeholder shown in help, e.g. DIR. */
  value?: string;
  description: string;
  /** Shown as "(default: ...)" in help; the command applies defaults itself. */
  defaultText?: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  readonly command: string;
  readonly positionals: string[];
  readonly values: OptionValues;
  readonly verbose: boolean;
  readonly stdout: Output;
  /** One plain line to stderr (diagnostics and progress in non-TTY mode). */
  log(line: string): void;
  /** A progress display: a bar on a TTY, a few plain lines otherwise. */
  progress(label: string, total?: number): Progress;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage after `recordflow <name> `, e.g. `FILE [--compression C] [--json]`. */
  usage: string;
  /** Extra paragraphs for --help. */
  details?: string;
  options: Record<string, OptionSpec>;
  positionals: { min: number; max: number; names: string };
  /** Resolves to the process exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** Wrong command-line usage: exit 2 with a hint to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requiredString(values: OptionValues, name: string): string {
  const v = stringOption(values, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** An integer option within [min, max]; `fallback` when absent. */
export function intOption(values: OptionValues, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^[-+]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  if (n < min || n > max) throw new UsageError(`--${name} must be ${range(min, max)}, got ${n}`);
  return n;
}

/** The accepted range in words; a minimum of Number.MIN_VALUE means "above 0". */
function range(min: number, max: number): string {
  const low = min === Number.MIN_VALUE ? 'greater than 0' : min === -Infinity ? undefined : `at least ${min}`;
  const high = max === Infinity ? undefined : `at most ${max}`;
  if (low === undefined) return high ?? 'a number';
  if (high === undefined) return low;
  return min === Number.MIN_VALUE ? `${low} and ${high}` : `between ${min} and ${max}`;
}

export function numberOption(values: OptionValues, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (n < min || n > max) throw new UsageError(`--${name} must be ${range(min, max)}, got ${n}`);
  return n;
}

export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[], fallback: T): T;
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[]): T | undefined;
export function choiceOption<T extends string>(values: OptionValues, name: string, choices: readonly T[], fallback?: T): T | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${raw}"`);
  return raw as T;
}


/** The --compression option, else the file name's convention, exactly as the io room reads it. */
export function compressionFor(values: OptionValues, file: string): Compression {
  return choiceOption(values, 'compression', COMPRESSIONS) ?? compressionFromName(file);
}

/**
 * As compressionFor, for a FILE argument that may be a pattern: without the option a pattern
 * gets undefined, so that each matched file's own name decides.
 */
export function readCompressionFor(values: OptionValues, file: string): Compression | undefined {
  if (choiceOption(values, 'compression', COMPRESSIONS) === undefined && /[*?[]/.test(file)) return undefined;
  return compressionFor(values, file);
}

export const COMPRESSION_OPTION: OptionSpec = {
  type: 'string',
  value: 'C',
  description: 'none, gzip or zlib',
  defaultText: 'from the file name: .gz/.gzip gzip, .zz/.zlib/.deflate zlib, else none',
};
export const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'machine-readable JSON output on stdout' };
