import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../src/core/errors.js';
import { isS3Url, joinLocation, parseS3Url, s3Url } from '../../src/storage/url.js';
import { clientConfig, customEndpoint } from '../../src/storage/client.js';
import { partSizeFor } from '../../src/storage/object-writer.js';
import { parseContentRange } from '../../src/storage/object-blocks.js';
import { isRetryable } from '../../src/storage/retry.js';

test('parseS3Url: bucket and key as the store takes them; bad URLs refused naming them', () => {
  assert.deepEqual(parseS3Url('s3://my-bucket/a/b//c.tfr'), { bucket: 'my-bucket', key: 'a/b//c.tfr' });
  assert.deepEqual(parseS3Url('s3://my-bucket'), { bucket: 'my-bucket', key: '' });
  assert.throws(() => parseS3Url('s3:///key'), (e: unknown) => e instanceof InputError && /s3:\/\/\/key/.test((e as Error).message));
  assert.throws(() => parseS3Url('s3://bucket/', { requireKey: true }), /names a bucket, not an object/);
  assert.throws(() => parseS3Url('data/x.tfr'), InputError);
  assert.ok(isS3Url('s3://b/k') && !isS3Url('/s3://b') && !isS3Url(3));
  assert.equal(s3Url('b', 'k/x'), 's3://b/k/x');
  assert.equal(joinLocation('s3://b/prefix', 'x.tfr'), 's3://b/prefix/x.tfr');
  assert.equal(joinLocation('s3://b/prefix/', 'x.tfr'), 's3://b/prefix/x.tfr');
  assert.equal(joinLocation('dir/sub', 'x.tfr'), 'dir/sub/x.tfr');
});

test('clientConfig: a custom endpoint gets path-style addressing and checksums only where required', () => {
  assert.deepEqual(clientConfig({}), { maxAttempts: 1 });
  const custom = clientConfig({ AWS_ENDPOINT_URL: 'http://localhost:9000' });
  assert.equal(custom.forcePathStyle, true);
  assert.equal(custom.requestChecksumCalculation, 'WHEN_REQUIRED');
  assert.equal(customEndpoint({ AWS_ENDPOINT_URL_S3: 'http://a:1', AWS_ENDPOINT_URL: 'http://b:2' }), 'http://a:1');
  const chosen = clientConfig({ AWS_ENDPOINT_URL_S3: 'http://minio:9000', AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_SUPPORTED' });
  assert.equal(chosen.forcePathStyle, true);
  assert.equal(chosen.requestChecksumCalculation, undefined, 'the environment decides');
});

test('parts grow every 500 so 10,000 parts reach 5 TiB; Content-Range; retryable failures', () => {
  assert.equal(partSizeFor(1, 8 << 20), 8 << 20);
  assert.equal(partSizeFor(500, 8 << 20), 8 << 20);
  assert.equal(partSizeFor(501, 8 << 20), 16 << 20);
  assert.equal(partSizeFor(10_000, 8 << 20), 5 * 1024 ** 3);
  let total = 0;
  for (let n = 1; n <= 10_000; n++) total += partSizeFor(n, 5 << 20);
  assert.ok(total >= 5 * 1024 ** 4);
  assert.deepEqual(parseContentRange('bytes 100-199/1000'), [100, 1000]);
  assert.equal(parseContentRange('bytes */1000'), undefined);
  assert.ok(isRetryable({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
  assert.ok(isRetryable(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  assert.ok(!isRetryable({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }));
  assert.ok(!isRetryable({ name: 'AbortError' }));
});
