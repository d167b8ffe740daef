// The fair comparison every bench uses: each side runs the same number of rounds, in turn (the
// order rotates each round, so no side always runs first or last, right after a collection or a
// warm cache), after the same untimed warm-up; results are medians with their spread, and each
// peer is compared through the ratio of the same round's figures, so a machine that speeds up or
// slows down mid-run (a shared machine does) moves both sides of a ratio alike.

/** One contender: `run` is timed; `setup` runs untimed before each run (e.g. removing an output). */
export interface Side<R = unknown> {
  name: string;
  run(): R | Promise<R>;
  setup?(): void | Promise<void>;
}

/** What the harness measures of one run itself. */
export interface Timing {
  /** Wall-clock milliseconds. */
  wallMs: number;
  /** CPU milliseconds (user + system) of this process during the run. */
  cpuMs: number;
}

export interface RoundsOptions<R> {
  /** Counted rounds; every side runs once per round. */
  rounds: number;
  /** Untimed rounds first, run the same rotating way (default 1): JIT, caches, lazy start-up. */
  warmup?: number;
  /**
   * The figures of one run (all lower-is-better), from the harness's timing and the run's result.
   * Default: `ms` (wall) and `cpuMs`. A side that runs a child process can report the child's
   * own figures here (its seconds, its peak RSS).
   */
  figures?: (timing: Timing, result: R, side: string) => Record<string, number>;
  /** Called after every counted run (e.g. to check that every side produced the same count). */
  check?: (side: string, result: R) => void;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** Every counted run's figures of one side, in round order. */
export interface SideSamples {
  name: string;
  samples: Record<string, number[]>;
}

/** The order of the sides in round `round`: rotated by one each round. */
export function roundOrder(sides: number, round: number): number[] {
  return Array.from({ length: sides }, (_, i) => (i + round) % sides);
}

/** Runs every side `warmup` + `rounds` times, in rotating turns, and returns the counted figures. */
export async function roundRobin<R>(sides: readonly Side<R>[], options: RoundsOptions<R>): Promise<SideSamples[]> {
  const figures = options.figures ?? ((t: Timing) => ({ ms: t.wallMs, cpuMs: t.cpuMs }));
  const out: SideSamples[] = sides.map((s) => ({ name: s.name, samples: {} }));
  const warmup = options.warmup ?? 1;
  for (let round = 0; round < warmup + options.rounds; round++) {
    const counted = round >= warmup;
    for (const i of roundOrder(sides.length, round)) {
      const side = sides[i]!;
      await side.setup?.();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const result = await side.run();
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const c = process.cpuUsage(c0);
      if (!counted) continue;
      options.check?.(side.name, result);
      for (const [k, v] of Object.entries(figures({ wallMs, cpuMs: (c.user + c.system) / 1e3 }, result, side.name))) {
        (out[i]!.samples[k] ??= []).push(v);
      }
    }
    options.log?.(`${counted ? 'round' : 'warm-up'} ${counted ? round - warmup + 1 : round + 1} done`);
  }
  return out;
}

/** Median (the mean of the middle two for an even count), minimum and maximum. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const median = (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
  return { median, min: s[0]!, max: s.at(-1)! };
}

/** `side`'s figure divided by `baseline`'s in the same round, over the rounds. */
export function pairedRatios(side: SideSamples, baseline: SideSamples, figure: string): number[] {
  const a = side.samples[figure] ?? [];
  const b = baseline.samples[figure] ?? [];
  return a.map((v, k) => v / b[k]!);
}

export interface ReportOptions {
  /** The side the others are compared with. */
  baseline: string;
  /** Which figure (default 'ms'). */
  figure?: string;
  /** Divides the figure before printing (e.g. ms → ns per element: 1e-6 · elements). */
  per?: number;
  /** Printed after the number (default: the figure's name). */
  unit?: string;
  /** Digits after the point (default 0). */
  digits?: number;
}

/**
 * One line per side: the median with its min–max spread as fractions of the median, and for
 * every side but the baseline the median of the per-round ratios side/baseline with their range
 * ("24.1x recordflow" = takes 24.1 times as long).
 */
export function report(results: readonly SideSamples[], options: ReportOptions): string[] {
  const figure = options.figure ?? 'ms';
  const per = options.per ?? 1;
  const unit = options.unit ?? figure;
  const digits = options.digits ?? 0;
  const base = results.find((r) => r.name === options.baseline);
  if (base === undefined) throw new Error(`no side named ${options.baseline}`);
  const width = Math.max(...results.map((r) => r.name.length));
  return results.map((r) => {
    const s = spread((r.samples[figure] ?? []).map((v) => v / per));
    const head = `${r.name.padEnd(width)}  ${s.median.toFixed(digits).padStart(9)} ${unit}  (spread ${(s.min / s.median).toFixed(2)}–${(s.max / s.median).toFixed(2)})`;
    if (r === base) return head;
    const q = spread(pairedRatios(r, base, figure));
    return `${head}  ${q.median.toFixed(2)}x ${base.name} (rounds ${q.min.toFixed(2)}–${q.max.toFixed(2)})`;
  });
}
