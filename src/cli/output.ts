// Writing to stdout with backpressure, and a quiet stop when the reader goes away
// (`recordflow cat F | head` must not print an EPIPE stack).

export class Output {
  private broken = false;
  private waiting: Promise<void> | undefined;

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean }) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.broken = true;
      else throw err;
    });
  }

  /** True once the reader has closed the pipe: commands should stop producing output. */
  get closed(): boolean {
    return this.broken;
  }

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  /** Writes text; resolves once the stream can take more. */
  async write(text: string): Promise<void> {
    if (this.broken) return;
    if (this.waiting) await this.waiting;
    if (!this.stream.write(text)) {
      this.waiting = new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.waiting = undefined;
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
      });
      await this.waiting;
    }
  }

  line(text: string): Promise<void> {
    return this.write(text + '\n');
  }

  json(value: unknown): Promise<void> {
    return this.line(JSON.stringify(value));
  }

  /** Resolves when everything written so far has been handed to the OS. */
  async end(): Promise<void> {
    if (this.broken) return;
    await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
  }
}
