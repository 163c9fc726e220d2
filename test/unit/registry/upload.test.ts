import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { RegistryClient } from '../../../src/registry/client.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { digestOf } from '../../../src/digest/hasher.js';

test('single POST falls back to the session the registry opens when it ignores ?digest=', async (t) => {
  const registry = await TestRegistry.start({ singlePost: false });
  const client = new RegistryClient({ dockerConfig: false });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const repo = { registry: registry.host, repository: 'up' };
  const data = Buffer.from('post me once');
  const desc = { digest: digestOf(data), size: data.byteLength };
  const result = await client.uploadBlob(repo, (offset) => Readable.from([data.subarray(offset)]), desc, { mode: 'single-post' });
  assert.equal(result.how, 'uploaded');
  assert.deepEqual(registry.requests.map((r) => `${r.method} ${r.status}`), ['GET 200', 'HEAD 404', 'POST 202', 'PUT 201']);
  assert.deepEqual(await client.getBlob(repo, desc), data);
});

test('an upload whose content does not match its digest is refused by the registry', async (t) => {
  const registry = await TestRegistry.start();
  const client = new RegistryClient({ dockerConfig: false });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const repo = { registry: registry.host, repository: 'up' };
  await assert.rejects(client.uploadBlob(repo, Buffer.from('actual'), { digest: digestOf('claimed'), size: 6 }), (err: any) => {
    assert.equal(err.code, 'ERR_REGISTRY_INVALID');
    assert.equal(err.registryCode, 'DIGEST_INVALID');
    return true;
  });
  assert.equal(await client.headBlob(repo, digestOf('claimed')), undefined);
});

test('empty blobs upload monolithically and in chunked mode', async (t) => {
  const registry = await TestRegistry.start();
  const client = new RegistryClient({ dockerConfig: false });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const empty = { digest: digestOf(''), size: 0 };
  assert.equal((await client.uploadBlob({ registry: registry.host, repository: 'a' }, Buffer.alloc(0), empty)).how, 'uploaded');
  assert.equal((await client.uploadBlob({ registry: registry.host, repository: 'b' }, Buffer.alloc(0), empty, { mode: 'chunked' })).how, 'uploaded');
});
