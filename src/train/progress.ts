/**
 * Training progress output. On a TTY: one line redrawn in place (at most ~10 times a second)
 * with epoch, step, loss, IoU and ETA. Elsewhere (CI logs, pipes): plain lines, one per
 * epoch plus one every `lineEvery` steps, never carriage returns.
 */
export interface ProgressStream {
  /** Writes text as is (no newline added). */
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of ProgressBar: the stream, TTY or plain lines, and how often plain mode prints. */
export interface ProgressOptions {
  stream?: ProgressStream;
  /** Force TTY or plain output (default: the stream's isTTY). */
  tty?: boolean;
  /** Plain mode: a line every this many steps (default 0 = only at epoch end). */
  lineEvery?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/**
 * Training progress for a terminal (one line redrawn in place) or a log (plain lines), as train() prints it.
 */
export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly lineEvery: number;
  private readonly now: () => number;
  private epochStart = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.lineEvery = options.lineEvery ?? 0;
    this.now = options.now ?? (() => performance.now());
  }

  /** Marks the start of an epoch (its ETA counts from here). */
  startEpoch(): void {
    this.epochStart = this.now();
    this.lastDraw = 0;
  }

  /** After each step. `total` = steps in the epoch when known. */
  step(epoch: number, epochs: number, step: number, total: number | undefined, loss: number, iou: number): void {
    const t = this.now();
    const elapsed = (t - this.epochStart) / 1000;
    const eta = total !== undefined && step > 0 ? (elapsed / step) * (total - step) : undefined;
    const counter = total !== undefined ? `${step}/${total}` : `${step}`;
    const text = `epoch ${epoch}/${epochs} step ${counter} loss ${fmt(loss)} iou ${iou.toFixed(4)}` + (eta !== undefined ? ` ETA ${duration(eta)}` : '');
    if (this.tty) {
      if (t - this.lastDraw < 100 && step !== total) return;
      this.lastDraw = t;
      const bar = total !== undefined ? `${renderBar(step / total, 20)} ` : '';
      const width = this.stream.columns ?? 120;
      this.stream.write(`\r${(bar + text).slice(0, width - 1)}\x1b[K`);
      this.drawn = true;
    } else if (this.lineEvery > 0 && step % this.lineEvery === 0) {
      this.stream.write(`${text}\n`);
    }
  }

  /** The epoch summary line (replaces the live bar on a TTY). */
  endEpoch(line: string): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
    this.stream.write(`${line}\n`);
  }

  /** A line of its own between progress output (the live bar is cleared first). */
  log(line: string): void {
    this.endEpoch(line);
  }
}

export function renderBar(fraction: number, width: number): string {
  const f = Math.min(Math.max(fraction, 0), 1);
  const filled = Math.round(f * width);
  return `[${'='.repeat(Math.max(filled - 1, 0))}${filled > 0 ? (filled === width ? '=' : '>') : ''}${' '.repeat(width - filled)}]`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3);
}
