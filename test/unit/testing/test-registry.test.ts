import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestRegistry } from '../../../src/testing/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { tempDir } from '../../helpers/tmp.js';
import { seedRegistry } from '../registry/fixtures.js';

test('the registry speaks the spec: version header, error bodies, name validation', async (t) => {
  const registry = await TestRegistry.start();
  t.after(() => registry.close());
  const ping = await fetch(`${registry.url}/v2/`);
  assert.equal(ping.status, 200);
  assert.equal(ping.headers.get('docker-distribution-api-version'), 'registry/2.0');
  const missing = await fetch(`${registry.url}/v2/a/manifests/latest`);
  assert.equal(missing.status, 404);
  assert.deepEqual(((await missing.json()) as { errors: { code: string }[] }).errors[0]!.code, 'MANIFEST_UNKNOWN');
  const invalid = await fetch(`${registry.url}/v2/UPPER/manifests/latest`);
  assert.equal(invalid.status, 400);
  const badPut = await fetch(`${registry.url}/v2/a/manifests/1`, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: '{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:' + '0'.repeat(64) + '","size":1},"layers":[]}' });
  assert.equal(badPut.status, 400);
  assert.equal(((await badPut.json()) as { errors: { code: string }[] }).errors[0]!.code, 'MANIFEST_BLOB_UNKNOWN');
});

test('a layout-backed registry serves its tags again after a restart', async (t) => {
  const dir = join(await tempDir(t), 'store');
  const first = await TestRegistry.start({ store: await OciLayout.open(dir, { create: true }) });
  const digest = await seedRegistry(first, 'team/app:1');
  await first.close();
  const second = await TestRegistry.start({ store: await OciLayout.open(dir) });
  t.after(() => second.close());
  assert.equal(second.tagDigest('team/app', '1'), digest);
  const res = await fetch(`${second.url}/v2/team/app/manifests/1`, { method: 'HEAD' });
  assert.equal(res.headers.get('docker-content-digest'), digest);
});

test('Bearer mode: 401 with a challenge naming realm, service and scope', async (t) => {
  const registry = await TestRegistry.start({ auth: { type: 'bearer', users: { u: 'p' } } });
  t.after(() => registry.close());
  const res = await fetch(`${registry.url}/v2/a/tags/list`);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), `Bearer realm="${registry.url}/token",service="oci-kit-test",scope="repository:a:pull"`);
  const wrong = await fetch(`${registry.url}/token?scope=repository:a:pull`, { headers: { authorization: `Basic ${Buffer.from('u:x').toString('base64')}` } });
  assert.equal(wrong.status, 401);
});
