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

// The FIRST chunk breaking leaves the session at 0 (or 1) bytes: registries then answer the status
// with no Range, or with the ambiguous `0-0` (CNCF registry), which must not be read as "1 byte".
for (const emptyUploadRange of ['omit', 'zero'] as const) {
  for (const [what, action] of [
    ['connection drop', { type: 'drop' }],
    ['5xx', { type: 'status', status: 503 }],
    ['drop after 1 byte', { type: 'drop-mid-body', afterBytes: 1 }],
  ] as const) {
    test(`a chunked upload whose first PATCH fails (${what}, empty Range ${emptyUploadRange}) completes`, async (t) => {
      const registry = await TestRegistry.start({ emptyUploadRange });
      const client = new RegistryClient({ dockerConfig: false, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
      t.after(async () => {
        client.close();
        await registry.close();
      });
      const repo = { registry: registry.host, repository: 'up' };
      const data = Buffer.alloc(25_000).map((_, i) => (i * 11) & 0xff);
      const desc = { digest: digestOf(data), size: data.byteLength };
      registry.inject({ match: { method: 'PATCH' }, action });
      const result = await client.uploadBlob(repo, (offset) => Readable.from([data.subarray(offset)]), desc, { mode: 'chunked', chunkSize: 10_000 });
      assert.equal(result.how, 'uploaded');
      assert.equal(registry.requests.filter((r) => r.status === 416).length, 0);
      assert.deepEqual(await client.getBlob(repo, desc), data);
    });
  }
}

test('the upload status of an empty session has no Range; 0-0 is read as ambiguous', async (t) => {
  const registry = await TestRegistry.start();
  const client = new RegistryClient({ dockerConfig: false });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const res = await fetch(`http://${registry.host}/v2/up/blobs/uploads/`, { method: 'POST' });
  assert.equal(res.status, 202);
  const location = new URL(res.headers.get('location')!, `http://${registry.host}`);
  const status = await fetch(location);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), null);
  const { uploadStatus } = await import('../../../src/registry/upload.js');
  const repo = { registry: registry.host, repository: 'up' };
  assert.equal((await uploadStatus(client, repo, location, [], undefined, 'probe')).offset, 0);
  await fetch(location, { method: 'PATCH', body: Buffer.from('ab'), headers: { 'content-range': '0-1' } });
  assert.equal((await uploadStatus(client, repo, location, [], undefined, 'probe')).offset, 2);
  const zero = await TestRegistry.start({ emptyUploadRange: 'zero' });
  t.after(() => zero.close());
  const opened = await fetch(`http://${zero.host}/v2/up/blobs/uploads/`, { method: 'POST' });
  const zeroLocation = new URL(opened.headers.get('location')!, `http://${zero.host}`);
  assert.equal((await uploadStatus(client, { registry: zero.host, repository: 'up' }, zeroLocation, [], undefined, 'probe')).offset, 'ambiguous');
});
