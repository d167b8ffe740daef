// Test helpers: run the CLI as a user would (a child node process through tsx), and check PNG
// files independently of the renderer (signature, chunk CRCs, IHDR, inflated size).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import CRC32 from 'crc-32';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export function runCli(args: string[], options: { input?: string | Buffer; cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, CI: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Lines of stderr that are not npm/node noise. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
}

export interface PngInfo {
  width: number;
  height: number;
  colorType: number;
  bitDepth: number;
  /** Inflated scanlines (filter byte + row). */
  raw: Buffer;
  chunks: string[];
}

/** Parses a PNG, checking the signature, every chunk CRC and the IHDR, and inflates IDAT. */
export function checkPng(png: Buffer): PngInfo {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(sig)) throw new Error('bad PNG signature');
  let at = 8;
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let ihdr: Buffer | undefined;
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    const crc = png.readUInt32BE(at + 8 + len);
    const expect = CRC32.buf(png.subarray(at + 4, at + 8 + len)) >>> 0;
    if (crc !== expect) throw new Error(`bad CRC in chunk ${type}`);
    chunks.push(type);
    if (type === 'IHDR') ihdr = Buffer.from(data);
    if (type === 'IDAT') idat.push(Buffer.from(data));
    at += 12 + len;
  }
  if (!ihdr || chunks[0] !== 'IHDR') throw new Error('IHDR is not the first chunk');
  if (chunks[chunks.length - 1] !== 'IEND') throw new Error('IEND is not the last chunk');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const bitDepth = ihdr[8]!;
  const colorType = ihdr[9]!;
  const raw = inflateSync(Buffer.concat(idat));
  const channels = colorType === 2 ? 3 : colorType === 0 ? 1 : colorType === 6 ? 4 : NaN;
  if (raw.length !== height * (1 + width * channels * (bitDepth / 8))) throw new Error(`inflated size ${raw.length} does not match ${width}x${height}`);
  return { width, height, colorType, bitDepth, raw, chunks };
}

/** Runs the CLI in this process (cheaper than a spawn) with captured output. */
export async function runInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { Writable } = await import('node:stream');
  const { runCli: run } = await import('../../src/cli/run.js');
  const sink = () => {
    const parts: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        parts.push(Buffer.from(chunk));
        cb();
      },
    });
    return { stream, text: () => Buffer.concat(parts).toString('utf8') };
  };
  const out = sink();
  const err = sink();
  const code = await run(args, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}
