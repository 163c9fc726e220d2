import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendToIndex, createImageIndex } from '../../../src/archive/image-index.js';
import { loadImage, parseIndex } from '../../../src/image/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { makeImageFromTars, makeTar, storeImage } from './fixtures.js';

test('index create takes each platform from the image config; append adds and replaces by platform', async () => {
  const store = new MemoryStore();
  const tar = await makeTar([{ name: 'f', data: 'x' }]);
  const amd = await makeImageFromTars([tar], true, { os: 'linux', architecture: 'amd64' });
  const arm = await makeImageFromTars([tar], true, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  const arm2 = await makeImageFromTars([await makeTar([{ name: 'f', data: 'y' }])], true, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  const ppc = await makeImageFromTars([tar], true, { os: 'linux', architecture: 'ppc64le' });
  await storeImage(store, amd, 'docker.io/library/img:amd64');
  await storeImage(store, arm, 'docker.io/library/img:arm64');
  await storeImage(store, arm2, 'docker.io/library/img:arm64-new');
  await storeImage(store, ppc, 'docker.io/library/img:ppc');

  const created = await createImageIndex(store, ['img:amd64', 'img:arm64'], { tag: 'img:multi' });
  assert.equal(created.tag, 'docker.io/library/img:multi');
  const index = parseIndex(await store.get(created.descriptor.digest));
  assert.deepEqual(index.manifests.map((m) => [m.digest, m.platform]), [
    [amd.descriptor.digest, { architecture: 'amd64', os: 'linux' }],
    [arm.descriptor.digest, { architecture: 'arm64', os: 'linux', variant: 'v8' }],
  ]);
  assert.equal((await loadImage(store, 'img:multi', { platform: 'linux/arm64' })).descriptor.digest, arm.descriptor.digest);

  const appended = await appendToIndex(store, 'img:multi', ['img:ppc', 'img:arm64-new']);
  assert.equal(appended.tag, 'docker.io/library/img:multi');
  const next = parseIndex(await store.get(appended.descriptor.digest));
  assert.deepEqual(next.manifests.map((m) => m.digest), [amd.descriptor.digest, arm2.descriptor.digest, ppc.descriptor.digest]);
  await assert.rejects(appendToIndex(store, 'img:amd64', ['img:ppc']), /not an image index/);
});
