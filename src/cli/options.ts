// The options several commands share (--seed, --batch, --epochs), parsed in one place so the
// same spelling means the same thing in synth, prepare, train, eval and start.
import { seedTo32 } from '../core/random.js';
import { intOption, numberOption, stringOption, type OptionSpec, type OptionValues } from './command.js';

/** The batch size every model command defaults to: the reference study's 7. */
export const DEFAULT_BATCH = 7;

/** Largest training seed: the trainer's generators take seeds in [0, 2^31). */
export const MAX_TRAINING_SEED = 2 ** 31 - 1;

/** --seed S: an integer or any string. */
export function seedSpec(description: string): OptionSpec {
  return { type: 'string', value: 'S', description, defaultText: '0' };
}

/** A directory option (--data DIR, --model DIR, --out DIR...). */
export function dirSpec(description: string, defaultText?: string): OptionSpec {
  return { type: 'string', value: 'DIR', description, ...(defaultText !== undefined ? { defaultText } : {}) };
}

/** --batch N. */
export function batchSpec(description = 'batch size'): OptionSpec {
  return { type: 'string', value: 'N', description, defaultText: String(DEFAULT_BATCH) };
}

/** --epochs N. */
export function epochsSpec(description: string, fallback: number): OptionSpec {
  return { type: 'string', value: 'N', description, defaultText: String(fallback) };
}

/**
 * --seed as the data generators take it: an integer stays a number (the same stream as the
 * library's default 0), anything else stays a string, which seeds a stream of its own.
 */
export function seedOption(values: OptionValues, fallback: number | string = 0): number | string {
  const raw = stringOption(values, 'seed');
  if (raw === undefined) return fallback;
  return /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
}

/**
 * The trainer's seed for a --seed value: an integer in [0, 2^31) as it is, any other seed
 * (a string, a larger integer) folded into that range, so that every seed trains its own
 * weights and none silently trains as seed 0.
 */
export function trainingSeed(seed: number | string): number {
  if (typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= MAX_TRAINING_SEED) return seed;
  return seedTo32(seed) >>> 1;
}

/** --batch as a whole number in [1, 100000]; `DEFAULT_BATCH` when absent. */
export function batchOption(values: OptionValues): number {
  return intOption(values, 'batch', DEFAULT_BATCH, 1, 100_000);
}

/** --epochs as a whole number in [1, 100000]; `fallback` when absent. */
export function epochsOption(values: OptionValues, fallback: number): number {
  return intOption(values, 'epochs', fallback, 1, 100_000);
}

/** --width-multiplier W: the BackBone's channel and dense widths times W. */
export function widthSpec(defaultText: string): OptionSpec {
  return { type: 'string', value: 'W', description: "multiplies the BackBone's channels and dense width (2: twice as wide)", defaultText };
}

/** The --width-multiplier given, if any (0.25 to 8). */
export function widthOption(values: OptionValues): number | undefined {
  return stringOption(values, 'width-multiplier') === undefined ? undefined : numberOption(values, 'width-multiplier', 1, 0.25, 8);
}
