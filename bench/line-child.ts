// A long-lived child process that answers one JSON line per request line: how bench sections
// time another runtime (pycocotools) or another tfjs backend in rounds next to our own side,
// with each child reporting its own figures.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export class LineChild<R> {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffered = '';
  private waiting: ((line: string) => void) | undefined;
  private stderr = '';

  constructor(
    command: string,
    args: string[],
    private readonly what: string,
  ) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0 && this.waiting) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      }
    });
    this.child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
  }

  /** Sends `line` and resolves with the child's JSON answer. */
  request(line: string): Promise<R> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${this.what} exited (${code}): ${this.stderr.trim().split('\n').slice(-3).join(' | ')}`));
      this.child.once('exit', onExit);
      this.waiting = (answer) => {
        this.child.off('exit', onExit);
        resolve(JSON.parse(answer) as R);
      };
      this.child.stdin.write(`${line}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}
