// Progress display: a redrawn bar on a TTY; on anything else (CI, pipes, files) a few plain lines
// so logs stay readable.

export interface Progress {
  /** Sets the amount done so far (and optionally a short status such as "loss 0.0123"). */
  update(done: number, status?: string): void;
  /** Finishes the display with a final status line. */
  finish(status?: string): void;
}

const BAR_WIDTH = 28;

function fmtTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function createProgress(
  label: string,
  total: number | undefined,
  stream: NodeJS.WriteStream | NodeJS.WritableStream,
  options: { tty?: boolean; quiet?: boolean } = {},
): Progress {
  const tty = options.tty ?? ((stream as NodeJS.WriteStream).isTTY === true && !process.env.CI);
  const start = Date.now();
  let lastDraw = 0;
  let lastPlainStep = -1;
  let finished = false;
  if (options.quiet) return { update() {}, finish() {} };

  const describe = (done: number, status?: string): string => {
    const elapsed = (Date.now() - start) / 1000;
    let text = label;
    if (total !== undefined && total > 0) {
      const frac = Math.min(1, done / total);
      const eta = frac > 0 ? (elapsed / frac) * (1 - frac) : NaN;
      const bar = tty ? `[${'#'.repeat(Math.round(frac * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] ` : '';
      text += ` ${bar}${done}/${total} ${Math.floor(frac * 100)}% ${fmtTime(elapsed)}`;
      if (Number.isFinite(eta) && frac < 1) text += ` eta ${fmtTime(eta)}`;
    } else {
      text += ` ${done} ${fmtTime(elapsed)}`;
    }
    return status ? `${text} ${status}` : text;
  };

  return {
    update(done, status) {
      if (finished) return;
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 100) return;
        lastDraw = now;
        const cols = (stream as NodeJS.WriteStream).columns ?? 100;
        stream.write(`\r${describe(done, status).slice(0, cols - 1)}\x1b[K`);
      } else {
        // Plain mode: one line per 10% step (or every 10 s without a total); short jobs only
        // print their final line.
        if (total !== undefined && total < 20) return;
        const step = total ? Math.floor((Math.min(done, total) / total) * 10) : Math.floor((now - start) / 10_000);
        if (step === lastPlainStep) return;
        lastPlainStep = step;
        stream.write(describe(done, status) + '\n');
      }
    },
    finish(status) {
      if (finished) return;
      finished = true;
      const line = `${label} done in ${fmtTime((Date.now() - start) / 1000)}${status ? ` ${status}` : ''}`;
      stream.write(tty ? `\r${line}\x1b[K\n` : line + '\n');
    },
  };
}
