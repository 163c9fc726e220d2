import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveStoreRef } from '../../../src/archive/refs.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { makeImage, storeImage } from './fixtures.js';

test('tags, name@digest and bare digests resolve; unknown names fail with ERR_IMAGE_NOT_FOUND', async () => {
  const store = new MemoryStore();
  const image = await makeImage(['r']);
  await storeImage(store, image, 'docker.io/library/ref:1');
  const byTag = await resolveStoreRef(store, 'ref:1');
  assert.equal(byTag.tag, 'docker.io/library/ref:1');
  assert.equal(byTag.descriptor.digest, image.descriptor.digest);
  const pinned = await resolveStoreRef(store, `ref:1@${image.descriptor.digest}`);
  assert.equal(pinned.tag, 'docker.io/library/ref:1');
  const bare = await resolveStoreRef(store, image.descriptor.digest);
  assert.equal(bare.tag, undefined);
  assert.equal(bare.descriptor.mediaType, image.descriptor.mediaType);
  assert.equal(bare.descriptor.size, image.descriptor.size);
  await assert.rejects(resolveStoreRef(store, 'ref:2'), (err: Error & { code?: string }) => err.code === 'ERR_IMAGE_NOT_FOUND');
  await assert.rejects(resolveStoreRef(store, `sha256:${'0'.repeat(64)}`), (err: Error & { code?: string }) => err.code === 'ERR_IMAGE_NOT_FOUND');
});
