import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryClient } from '../../../src/registry/client.js';
import type { BlobProgress } from '../../../src/registry/events.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { digestOf } from '../../../src/digest/hasher.js';

test('blob transfers report start, progress, done and skips on the typed emitter', async (t) => {
  const registry = await TestRegistry.start();
  const client = new RegistryClient({ dockerConfig: false });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const repo = { registry: registry.host, repository: 'ev' };
  const data = Buffer.alloc(300_000, 9);
  const desc = { digest: digestOf(data), size: data.byteLength };
  const seen: string[] = [];
  let last: BlobProgress | undefined;
  client.on('blob-start', (p) => seen.push(`start ${p.direction}`));
  client.on('blob-progress', (p) => (last = { ...p }));
  client.on('blob-done', (p) => seen.push(`done ${p.direction} ${p.transferred}`));
  client.on('blob-skip', (s) => seen.push(`skip ${s.reason}`));
  await client.uploadBlob(repo, data, desc);
  await client.uploadBlob(repo, data, desc);
  await client.getBlob(repo, desc);
  assert.deepEqual(seen, ['start push', `done push ${data.byteLength}`, 'skip exists', 'start pull', `done pull ${data.byteLength}`]);
  assert.equal(last?.transferred, data.byteLength);
  assert.equal(last?.total, data.byteLength);
});

test('mirrors are read first and the registry is the fallback', async (t) => {
  const origin = await TestRegistry.start();
  const mirror = await TestRegistry.start();
  const client = new RegistryClient({ dockerConfig: false, mirrors: { [origin.host]: [mirror.host] } });
  t.after(async () => {
    client.close();
    await origin.close();
    await mirror.close();
  });
  const a = Buffer.from('only in the origin');
  const b = Buffer.from('in the mirror too');
  const plain = new RegistryClient({ dockerConfig: false });
  await plain.uploadBlob({ registry: origin.host, repository: 'm' }, a, { digest: digestOf(a), size: a.byteLength });
  await plain.uploadBlob({ registry: mirror.host, repository: 'm' }, b, { digest: digestOf(b), size: b.byteLength });
  plain.close();
  mirror.reset();
  origin.reset();
  assert.deepEqual(await client.getBlob({ registry: origin.host, repository: 'm' }, { digest: digestOf(b), size: b.byteLength }), b);
  assert.equal(origin.requests.length, 0);
  assert.deepEqual(await client.getBlob({ registry: origin.host, repository: 'm' }, { digest: digestOf(a), size: a.byteLength }), a);
  assert.ok(mirror.requests.some((r) => r.status === 404));
  assert.ok(origin.requests.some((r) => r.method === 'GET' && r.status === 200));
});
