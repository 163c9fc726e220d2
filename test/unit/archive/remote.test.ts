import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mutateImage } from '../../../src/archive/mutate.js';
import { remoteSurgery } from '../../../src/archive/remote.js';
import { loadImage } from '../../../src/image/index.js';
import { RegistryClient, pull, push } from '../../../src/registry/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { makeImage, storeImage } from './fixtures.js';

test('remote surgery pulls the input, edits it in the store and pushes only what changed', async (t) => {
  const registry = await TestRegistry.start();
  const client = new RegistryClient({ dockerConfig: false, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const ref = `${registry.host}/team/app:1`;
  const source = new MemoryStore();
  const image = await makeImage(['remote']);
  await storeImage(source, image, ref);
  await push(source, ref, undefined, { client });

  const work = new MemoryStore();
  const result = await remoteSurgery(work, [ref], () => mutateImage(work, ref, { user: 'remote-user' }, { tag: `${registry.host}/team/app:2` }), { client, platform: 'linux/amd64' });
  assert.equal(result.tag, `${registry.host}/team/app:2`);
  // The layer was already in the registry: only config and manifest went up.
  assert.equal(result.pushed.blobs.copied, 1);
  assert.ok(result.pushed.blobs.skipped >= 1);

  const check = new MemoryStore();
  await pull(`${registry.host}/team/app:2`, check, { client, platform: 'linux/amd64' });
  const pulled = await loadImage(check, `${registry.host}/team/app:2`);
  assert.equal(pulled.config.config?.User, 'remote-user');
  assert.deepEqual(pulled.manifest.layers.map((l) => l.digest), image.manifest.layers.map((l) => l.digest));
});
