// The one S3 client, created on first use. `@aws-sdk/client-s3` is imported dynamically here and
// nowhere else, so a program that never names an s3:// URL never loads it (about 25 MB of RSS
// and 0.4 s of start-up).
//
// Configuration is the SDK's own default chain (credentials and region from the environment, the
// profile and the shared config files; AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, or a profile's
// endpoint_url, for the endpoint). Two additions for S3-compatible stores, recognised by such a
// configured endpoint (as the SDK itself resolves it, so the profile counts too): path-style
// addressing (a bucket name in front of `localhost` or an internal host name does not resolve),
// and checksums only where the API requires them (older compatible stores reject or mangle the
// SDK's default upload checksums) unless AWS_REQUEST_CHECKSUM_CALCULATION says otherwise. A store
// that needs no region gets us-east-1 when none is configured. Retries are recordflow's own
// (retry.ts), with AWS_MAX_ATTEMPTS as their default count.

import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

/** The SDK module, loaded on first use. */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

/** Tuning for every s3:// read and write; `configureStorage` changes it. */
export interface StorageOptions {
  /**
   * A client to use instead of the default one (for credentials or an endpoint set in code).
   * It must be an S3Client of `@aws-sdk/client-s3`.
   */
  client?: S3Client;
  /** Attempts per request or resumed read before giving up (default AWS_MAX_ATTEMPTS, else 10). */
  attempts?: number;
  /** First retry delay in ms, doubled per further attempt up to 10 s (default 200). */
  backoffMs?: number;
  /** A response body that delivers nothing for this long is cut and resumed (default 60 s). */
  idleTimeoutMs?: number;
  /** Multipart upload part size in bytes (default 8 MiB; S3 needs at least 5 MiB). */
  partSize?: number;
  /** Parts uploaded at once by one writer (default 2; memory is partSize × (this + 1)). */
  uploadConcurrency?: number;
}

/** The effective settings (defaults filled in). */
export interface StorageSettings {
  attempts: number;
  backoffMs: number;
  idleTimeoutMs: number;
  partSize: number;
  uploadConcurrency: number;
}

const MIN_PART = 5 << 20;

let settings: StorageSettings = defaults();
let given: S3Client | undefined;
let clientPromise: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;
let sdkPromise: Promise<S3Sdk> | undefined;

function defaults(): StorageSettings {
  const fromEnv = Number(process.env.AWS_MAX_ATTEMPTS);
  const attempts = Number.isInteger(fromEnv) && fromEnv >= 1 ? fromEnv : 10;
  return { attempts, backoffMs: 200, idleTimeoutMs: 60_000, partSize: 8 << 20, uploadConcurrency: 2 };
}

/**
 * Sets how s3:// URLs are read and written, and drops the cached client, so the next request
 * builds a new one from the environment as it is then (or uses `options.client`). Options not
 * given return to their defaults.
 *
 * @example
 * configureStorage({ attempts: 8, partSize: 16 << 20 });
 */
export function configureStorage(options: StorageOptions = {}): void {
  const d = defaults();
  const partSize = options.partSize ?? d.partSize;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_PART) {
    throw new RangeError(`partSize must be an integer of at least ${MIN_PART} bytes (S3's minimum part), got ${partSize}`);
  }
  for (const [name, v] of [['attempts', options.attempts], ['uploadConcurrency', options.uploadConcurrency]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  }
  settings = {
    attempts: options.attempts ?? d.attempts,
    backoffMs: Math.max(0, options.backoffMs ?? d.backoffMs),
    idleTimeoutMs: Math.max(1, options.idleTimeoutMs ?? d.idleTimeoutMs),
    partSize,
    uploadConcurrency: options.uploadConcurrency ?? d.uploadConcurrency,
  };
  const old = clientPromise;
  clientPromise = undefined;
  given = options.client;
  // A client we built is ours to close; a given one stays the caller's.
  void old?.then(({ client }) => {
    if (client !== given) client.destroy();
  }, () => {});
}

/** The current settings. */
export function storageSettings(): StorageSettings {
  return settings;
}

/** The SDK module, imported on the first call. */
export function loadSdk(): Promise<S3Sdk> {
  sdkPromise ??= import('@aws-sdk/client-s3').catch((e: unknown) => {
    sdkPromise = undefined;
    throw new Error(`s3:// URLs need the package @aws-sdk/client-s3 (npm install @aws-sdk/client-s3): ${(e as Error).message}`, { cause: e });
  });
  return sdkPromise;
}

/** The endpoint of an S3-compatible store from the environment, if one is set. */
export function customEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return url ? url : undefined;
}

/**
 * The endpoint the SDK will use from the environment or the shared config files (a profile's
 * `endpoint_url` or its `services` section), as the SDK resolves it for `client`. That resolver
 * is internal to the SDK, so when a version lacks it, the environment variables decide alone.
 */
async function configuredEndpoint(client: S3Client): Promise<string | undefined> {
  const resolve = (client.config as { serviceConfiguredEndpoint?: () => Promise<string | undefined> }).serviceConfiguredEndpoint;
  if (typeof resolve !== 'function') return customEndpoint();
  try {
    return (await resolve()) || undefined;
  } catch {
    return customEndpoint(); // a broken profile: the SDK reports it on the first request
  }
}

/**
 * The client configuration recordflow adds to the SDK's defaults for this environment;
 * `endpoint` is the configured endpoint in effect (default: the environment's).
 */
export function clientConfig(env: NodeJS.ProcessEnv = process.env, endpoint: string | undefined = customEndpoint(env)): S3ClientConfig {
  // One attempt per send: the callers retry themselves, resuming reads from the next byte, and
  // an SDK retry inside each of their attempts would multiply the count and the delays.
  const config: S3ClientConfig = { maxAttempts: 1 };
  if (endpoint !== undefined) {
    config.forcePathStyle = true;
    if (!env.AWS_REQUEST_CHECKSUM_CALCULATION) config.requestChecksumCalculation = 'WHEN_REQUIRED';
    if (!env.AWS_RESPONSE_CHECKSUM_VALIDATION) config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  return config;
}

async function build(): Promise<{ sdk: S3Sdk; client: S3Client }> {
  const sdk = await loadSdk();
  if (given) return { sdk, client: given };
  const probe = new sdk.S3Client({ maxAttempts: 1 });
  const endpoint = await configuredEndpoint(probe);
  probe.destroy();
  const config = clientConfig(process.env, endpoint);
  let client = new sdk.S3Client(config);
  try {
    await client.config.region();
  } catch {
    // No region anywhere in the chain: fine for S3-compatible stores, which ignore it.
    client.destroy();
    client = new sdk.S3Client({ ...config, region: 'us-east-1' });
  }
  return { sdk, client };
}

/** The SDK and the shared client, built on the first call. */
export function s3(): Promise<{ sdk: S3Sdk; client: S3Client }> {
  clientPromise ??= build().catch((e: unknown) => {
    clientPromise = undefined;
    throw e;
  });
  return clientPromise;
}
