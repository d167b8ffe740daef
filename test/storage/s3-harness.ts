// A real S3-protocol server for tests (s3rver, a dev dependency, on 127.0.0.1, port 0, in a temp
// directory) behind a fault-injecting HTTP proxy of our own: seeded 503 SlowDown answers and
// responses cut mid-body. Clients reach the proxy as `localhost`, so every request also proves
// path-style addressing (a virtual-host request would go to `bucket.localhost`).

import http from 'node:http';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Random } from '../../src/core/random.js';
import { configureStorage } from '../../src/storage/client.js';

interface S3rverLike {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: Record<string, unknown>) => S3rverLike;

/** What the proxy does to the requests it forwards; change it between steps of a test. */
export interface Faults {
  /** Probability that a request is answered 503 SlowDown without reaching the store. */
  slowDown: number;
  /** Probability that a GET response with a body is cut after a random number of its bytes. */
  cut: number;
  /** Cuts fall within the first this many body bytes. */
  maxCutBytes: number;
  /** Every request gets 503 SlowDown (a store that never recovers). */
  down: boolean;
  /** Stall the next GET body after this many bytes (then cleared): the idle timeout's case. */
  stallAfter?: number;
  /**
   * Hold object GETs until this many are waiting, then pass them all on (and clear the gate):
   * proves that a reader has that many GETs open at once. A gate not filled within `gateMs`
   * (default 3 s) opens anyway and counts in `stats.gateTimeouts`, so a sequential reader fails
   * a test, never hangs it.
   */
  gateGets?: number;
  gateMs?: number;
  /**
   * Pace every GET body at this many bytes per second (a store's per-connection throughput, as
   * real stores have one); bench:io uses it, the tests do not.
   */
  bytesPerSecond?: number;
}

export const NO_FAULTS: Faults = { slowDown: 0, cut: 0, maxCutBytes: 0, down: false };

export interface S3Harness {
  /** The proxy's endpoint, `http://localhost:PORT`. */
  endpoint: string;
  /** The store's own endpoint (no faults). */
  direct: string;
  faults: Faults;
  /** Requests seen by the proxy, by kind. */
  stats: { requests: number; slowDowns: number; cuts: number; gets: number; gateTimeouts: number };
  /** Environment for child processes (the CLI) that should talk to this store through the proxy. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

const SLOW_DOWN = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';

/**
 * Starts s3rver with `buckets` and the proxy, points this process's storage client at the proxy
 * (credentials, endpoint, fast retries) and returns the harness.
 */
export async function startS3(buckets: string[], seed = 1): Promise<S3Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'rf-s3rver-'));
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const { port: storePort } = await server.run();
  const rng = new Random(seed);
  const harness: S3Harness = {
    endpoint: '',
    direct: `http://127.0.0.1:${storePort}`,
    faults: { ...NO_FAULTS },
    stats: { requests: 0, slowDowns: 0, cuts: 0, gets: 0, gateTimeouts: 0 },
    env: {},
    close: async () => {},
  };
  const sockets = new Set<import('node:net').Socket>();
  let gated: (() => void)[] = [];
  let gateTimer: NodeJS.Timeout | undefined;
  const openGate = (): void => {
    clearTimeout(gateTimer);
    gateTimer = undefined;
    harness.faults.gateGets = undefined;
    harness.faults.gateMs = undefined;
    const waiting = gated;
    gated = [];
    for (const go of waiting) go();
  };
  const proxy = http.createServer((req, res) => {
    const f = harness.faults;
    harness.stats.requests++;
    if (f.down || (f.slowDown > 0 && rng.next() < f.slowDown)) {
      harness.stats.slowDowns++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(SLOW_DOWN) });
      res.end(SLOW_DOWN);
      return;
    }
    const isGet = req.method === 'GET' && !/[?&](list-type|uploads|location|delimiter)/.test(req.url ?? '') && !/^\/[^/]*\/?(\?|$)/.test(req.url ?? '');
    const stallAt = isGet ? f.stallAfter : undefined;
    if (stallAt !== undefined) f.stallAfter = undefined;
    if (isGet) harness.stats.gets++;
    const forward = (): void => {
      const up = http.request({ host: '127.0.0.1', port: storePort, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        // A cut falls strictly inside the body, so every cut response really is cut short.
        const length = Number(upRes.headers['content-length'] ?? 0);
        const cutAt = isGet && length > 1 && f.cut > 0 && rng.next() < f.cut ? 1 + rng.int(Math.min(length - 1, Math.max(1, f.maxCutBytes))) : undefined;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        let sent = 0;
        const rate = isGet ? f.bytesPerSecond : undefined;
        const t0 = performance.now();
        upRes.on('data', (chunk: Buffer) => {
          const limit = Math.min(cutAt ?? Infinity, stallAt ?? Infinity);
          if (sent + chunk.length < limit) {
            sent += chunk.length;
            const full = !res.write(chunk);
            // Paced from the body's start, so timer granularity does not lower the rate.
            const wait = rate ? (sent / rate) * 1000 - (performance.now() - t0) : 0;
            if (full || wait > 0) {
              upRes.pause();
              let waits = (full ? 1 : 0) + (wait > 0 ? 1 : 0);
              const go = (): void => {
                if (--waits === 0) upRes.resume();
              };
              if (full) res.once('drain', go);
              if (wait > 0) setTimeout(go, wait);
            }
            return;
          }
          res.write(chunk.subarray(0, limit - sent));
          sent = limit;
          upRes.destroy();
          if (cutAt !== undefined && limit === cutAt) {
            harness.stats.cuts++;
            // Let the partial body reach the client, then drop the connection mid-body.
            res.socket?.end(() => res.socket?.destroy());
          }
          // A stall keeps the connection open and silent until the client gives up.
        });
        upRes.on('end', () => res.end());
        upRes.on('error', () => res.destroy());
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (!isGet || f.gateGets === undefined) return forward();
    gated.push(forward);
    if (gated.length >= f.gateGets) return openGate();
    gateTimer ??= setTimeout(() => {
      harness.stats.gateTimeouts++;
      openGate();
    }, f.gateMs ?? 3000);
  });
  proxy.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;
  harness.endpoint = `http://localhost:${proxyPort}`;
  harness.env = {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: harness.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const saved = new Map<string, string | undefined>();
  for (const k of [...Object.keys(harness.env), 'AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) saved.set(k, process.env[k]);
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_ENDPOINT_URL;
  Object.assign(process.env, harness.env);
  configureStorage({ backoffMs: 1, attempts: 6 });
  harness.close = async () => {
    configureStorage();
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    openGate();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await server.close();
    await rm(dir, { recursive: true, force: true });
  };
  return harness;
}
