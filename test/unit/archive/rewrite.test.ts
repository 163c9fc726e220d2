import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readImage, tagResult, writeImage } from '../../../src/archive/rewrite.js';
import { DOCKER, OCI } from '../../../src/image/media-types.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { makeImage, storeImage } from './fixtures.js';

test('writeImage keeps the family and manifest annotations, references the same layer blobs, and retags', async () => {
  const store = new MemoryStore();
  const image = await makeImage(['w']);
  image.manifest.annotations = { keep: 'me' };
  await storeImage(store, image);
  const manifestBytes = Buffer.from(JSON.stringify(image.manifest));
  const info = await store.put(manifestBytes);
  await store.setTag('docker.io/library/w:1', { mediaType: OCI.manifest, digest: info.digest, size: info.size });

  const input = await readImage(store, 'w:1');
  assert.equal(input.tag, 'docker.io/library/w:1');
  const result = await writeImage(store, input, { config: { ...input.image.config, author: 'me' }, layers: input.image.manifest.layers }, {});
  assert.equal(result.tag, 'docker.io/library/w:1');
  const written = JSON.parse((await store.get(result.descriptor.digest)).toString()) as { mediaType: string; annotations: Record<string, string>; layers: unknown[] };
  assert.equal(written.mediaType, OCI.manifest);
  assert.deepEqual(written.annotations, { keep: 'me' });
  assert.deepEqual(written.layers, image.manifest.layers);
});

test('a Docker schema 2 image stays Docker schema 2; tagResult normalizes the requested tag', async () => {
  const store = new MemoryStore();
  const image = await makeImage(['d']);
  await storeImage(store, image);
  const docker = { ...image.manifest, mediaType: DOCKER.manifest, config: { ...image.manifest.config, mediaType: DOCKER.config }, layers: image.manifest.layers.map((l) => ({ ...l, mediaType: DOCKER.layerGzip })) };
  const info = await store.put(Buffer.from(JSON.stringify(docker)));
  await store.setTag('docker.io/library/d:1', { mediaType: DOCKER.manifest, digest: info.digest, size: info.size });
  const input = await readImage(store, 'd:1');
  const result = await writeImage(store, input, { config: input.image.config, layers: input.image.manifest.layers }, { tag: 'other' });
  assert.equal(result.descriptor.mediaType, DOCKER.manifest);
  assert.equal(result.tag, 'docker.io/library/other:latest');
  assert.equal(await tagResult(store, result.descriptor, undefined, undefined), undefined);
});
