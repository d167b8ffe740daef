// Which failures of an object store are worth another attempt, the delay before it, and the
// typed errors the rest of recordflow sees once the attempts are spent.

import { InputError, RecordflowError } from '../core/errors.js';
import { storageSettings } from './client.js';

/**
 * An object-store request that failed for good: the store or the network kept failing through
 * every attempt. Names the URL and, for reads, the byte offset the read had reached.
 */
export class StorageError extends RecordflowError {
  override name = 'StorageError';
  constructor(
    message: string,
    readonly url: string,
    /** The first byte not read (reads) or not yet stored (writes), when it applies. */
    readonly offset: number | undefined,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`${url}: ${message}`, options);
  }
}

/** A response that ended before the bytes its headers promised (a cut the stream did not report). */
export class ShortBodyError extends Error {
  override name = 'ShortBodyError';
}

/** A response body that stalled past the idle timeout. */
export class IdleTimeoutError extends Error {
  override name = 'IdleTimeoutError';
}

interface SdkLike {
  name?: string;
  code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

const RETRY_NAMES = new Set([
  'SlowDown',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'ShortBodyError',
  'IdleTimeoutError',
]);

const RETRY_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/** The HTTP status of an SDK error, if it carries one. */
export function httpStatus(e: unknown): number | undefined {
  return (e as SdkLike | null)?.$metadata?.httpStatusCode;
}

/**
 * Whether a failed request may succeed when tried again: network cuts and timeouts, 5xx
 * answers, throttling (503 SlowDown, 429), and bodies cut short.
 */
export function isRetryable(e: unknown): boolean {
  if (e === null || typeof e !== 'object') return false;
  const err = e as SdkLike;
  if (err.name === 'AbortError') return false;
  const status = httpStatus(e);
  if (status !== undefined && (status >= 500 || status === 429 || status === 408)) return true;
  if (err.$retryable) return true;
  if (err.name !== undefined && RETRY_NAMES.has(err.name)) return true;
  if (err.code !== undefined && RETRY_CODES.has(err.code)) return true;
  return /socket hang up|aborted|premature close|ECONNRESET|EPIPE/i.test(err.message ?? '');
}

/** Delay before attempt `attempt` (2 = the first retry): backoffMs doubled per retry, at most 10 s. */
export function backoffDelay(attempt: number): number {
  const base = storageSettings().backoffMs;
  return Math.min(10_000, base * 2 ** Math.max(0, attempt - 2));
}

/** Waits `ms`, or rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The error a caller sees for a request that failed: a missing object or bucket and refused
 * access are bad input (InputError); a store that kept failing is a StorageError.
 */
export function storageFailure(e: unknown, url: string, what: string, offset: number | undefined, attempts: number): Error {
  if (e instanceof RecordflowError) return e;
  const err = (e ?? {}) as SdkLike;
  const status = httpStatus(e);
  const name = err.name ?? '';
  if (name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && name !== 'NoSuchBucket')) {
    return new InputError('no such object', url, { cause: e });
  }
  if (name === 'NoSuchBucket') return new InputError('no such bucket', url, { cause: e });
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) return new InputError(`access denied (${name || status})`, url, { cause: e });
  if (name === 'CredentialsProviderError') {
    return new InputError(`no AWS credentials (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE): ${err.message ?? ''}`, url, { cause: e });
  }
  const at = offset === undefined ? '' : ` at byte offset ${offset}`;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
  const why = `${name && name !== 'Error' ? `${name}: ` : ''}${err.message ?? String(e)}`.split('\n')[0];
  return new StorageError(`${what} failed${at}${tries} (${why})`, url, offset, attempts, { cause: e });
}

/**
 * Runs `op` until it succeeds, retrying retryable failures with backoff up to the configured
 * attempts; the final failure goes through `storageFailure`. With `resumes`, `op` continues from
 * `offset()` each time, and an attempt that moved the offset on starts the count afresh: only
 * failures without progress in between count against the attempts (as for streamed reads).
 */
export async function withRetries<T>(
  url: string,
  what: string,
  op: () => Promise<T>,
  options: { offset?: () => number | undefined; signal?: AbortSignal; resumes?: boolean } = {},
): Promise<T> {
  const attempts = storageSettings().attempts;
  let mark = options.offset?.();
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await op();
    } catch (e) {
      if (options.signal?.aborted) throw options.signal.reason;
      const at = options.offset?.();
      if (options.resumes && at !== mark) {
        mark = at;
        attempt = 1;
      }
      if (attempt >= attempts || !isRetryable(e)) throw storageFailure(e, url, what, at, attempt);
      await sleep(backoffDelay(attempt + 1), options.signal);
    }
  }
}
