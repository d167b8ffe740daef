// The SDK's configuration chain, in fresh CLI processes against the local S3-protocol server:
// credentials and region from a profile in the shared files, the endpoint from
// AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else the profile's endpoint_url, each addressed
// path-style (the proxy is `localhost`, and `bucket.localhost` does not resolve) and by IP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { putObjectBytes } from '../../src/storage/objects.js';
import { runCli } from '../cli/helpers.js';
import { startS3, type S3Harness } from './s3-harness.js';
import { makeShard } from './shards.js';

const RECORDS = 12;

describe('configuration through the SDK chain', () => {
  let s3: S3Harness;
  let dir: string;
  /** Environment with no credentials or endpoint of its own: each test adds what it means. */
  let bare: Record<string, string>;
  before(async () => {
    s3 = await startS3(['cfg']);
    dir = await mkdtemp(join(tmpdir(), 'rf-s3-config-'));
    makeShard(dir, 'a.tfr', 0, RECORDS);
    await putObjectBytes('s3://cfg/a.tfr', await readFile(join(dir, 'a.tfr')));
    // Empty values count as unset for the SDK and for recordflow; the files named are absent.
    bare = {
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_ENDPOINT_URL_S3: '',
      AWS_ENDPOINT_URL: '',
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
      AWS_PROFILE: '',
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  });
  after(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function count(env: Record<string, string>): Promise<{ code: number | null; stderr: string; records?: number }> {
    const r = await runCli(['count', 's3://cfg/a.tfr', '--json'], { env: { ...bare, ...env } });
    return { code: r.code, stderr: r.stderr, ...(r.code === 0 ? { records: (JSON.parse(r.stdout) as { total: number }).total } : {}) };
  }

  async function profileFiles(keyId: string, config = ''): Promise<Record<string, string>> {
    await writeFile(join(dir, 'credentials'), `[rf]\naws_access_key_id = ${keyId}\naws_secret_access_key = S3RVER\n`);
    await writeFile(join(dir, 'config'), `[profile rf]\nregion = eu-central-1\n${config}`);
    return { AWS_PROFILE: 'rf', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') };
  }

  test('credentials from a profile, endpoint from AWS_ENDPOINT_URL (localhost)', async () => {
    const r = await count({ ...(await profileFiles('S3RVER')), AWS_ENDPOINT_URL: s3.endpoint });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records, RECORDS);
  });

  test('the profile really signs: an unknown key in it is refused, naming the URL', async () => {
    // (s3rver checks the key id of a V4 signature, not the signature itself)
    const r = await count({ ...(await profileFiles('NOBODY')), AWS_ENDPOINT_URL: s3.endpoint });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /s3:\/\/cfg\/a\.tfr/);
  });

  test('AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL; an IP endpoint works too', async () => {
    const dead = 'http://localhost:9';
    const r = await count({ AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_ENDPOINT_URL_S3: s3.direct, AWS_ENDPOINT_URL: dead, AWS_MAX_ATTEMPTS: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records, RECORDS);
  });

  test("a profile's endpoint_url is a custom endpoint too: path-style against localhost", async () => {
    const r = await count(await profileFiles('S3RVER', `endpoint_url = ${s3.endpoint}\n`));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.records, RECORDS);
  });
});
