import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/store/memory.js';
import { saveImage } from '../../../src/image/save.js';
import { appendLayer, createConfig } from '../../../src/image/config.js';
import { canonicalJson } from '../../../src/image/json.js';
import { DOCKER, OCI } from '../../../src/image/media-types.js';
import { parseManifest } from '../../../src/image/manifest.js';
import { parseImageConfig } from '../../../src/image/config.js';
import { digestOf } from '../../../src/digest/hasher.js';
import type { Descriptor } from '../../../src/image/types.js';

async function storeWithLayer(content = 'layer bytes'): Promise<{ store: MemoryStore; layer: Descriptor }> {
  const store = new MemoryStore();
  const info = await store.put(content);
  return { store, layer: { mediaType: OCI.layerGzip, digest: info.digest, size: info.size } };
}

const config = (diffIds = [digestOf('diff')]) =>
  createConfig({ platform: 'linux/amd64', created: '2024-01-01T00:00:00Z', diffIds, config: { Cmd: ['sh'] } });

test('saveImage writes the config and manifest blobs and returns the loaded image', async () => {
  const { store, layer } = await storeWithLayer();
  const saved = await saveImage(store, { config: config(), layers: [layer], annotations: { a: 'b' } });
  assert.equal(saved.descriptor.mediaType, OCI.manifest);
  assert.deepEqual(await store.get(saved.descriptor.digest), canonicalJson(saved.manifest));
  assert.deepEqual(await store.get(saved.configDescriptor.digest), canonicalJson(saved.config));
  assert.equal(saved.descriptor.size, canonicalJson(saved.manifest).byteLength);
  const manifest = parseManifest(await store.get(saved.descriptor.digest));
  assert.deepEqual(manifest.layers, [layer]);
  assert.deepEqual(manifest.config, saved.configDescriptor);
  assert.deepEqual(manifest.annotations, { a: 'b' });
  assert.deepEqual(parseImageConfig(await store.get(saved.configDescriptor.digest)), config());
  // Nothing is tagged.
  assert.deepEqual(await store.listTags(), []);
});

test('saving the same image twice gives the same digests', async () => {
  const { store, layer } = await storeWithLayer();
  const a = await saveImage(store, { config: config(), layers: [layer] });
  const b = await saveImage(store, { config: config(), layers: [layer] });
  assert.equal(a.descriptor.digest, b.descriptor.digest);
});

test('the Docker family maps media types', async () => {
  const { store, layer } = await storeWithLayer();
  const saved = await saveImage(store, { config: config(), layers: [layer], family: 'docker' });
  assert.equal(saved.descriptor.mediaType, DOCKER.manifest);
  assert.equal(saved.configDescriptor.mediaType, DOCKER.config);
  assert.deepEqual(saved.manifest.layers.map((l) => l.mediaType), [DOCKER.layerGzip]);
  await assert.rejects(saveImage(store, { config: config(), layers: [layer], family: 'docker', annotations: { a: 'b' } }), {
    code: 'ERR_INVALID_INPUT',
    message: /cannot carry annotations/,
  });
});

test('saveImage refuses incomplete or inconsistent images before writing', async () => {
  const { store, layer } = await storeWithLayer();
  const missing = { ...layer, digest: digestOf('not stored') };
  await assert.rejects(saveImage(store, { config: config(), layers: [missing] }), { code: 'ERR_BLOB_NOT_FOUND' });
  await assert.rejects(saveImage(store, { config: config([]), layers: [layer] }), {
    code: 'ERR_INVALID_CONFIG',
    message: /rootfs.diff_ids has 0 entries but 1 layers were given/,
  });
  const bad = { ...config(), architecture: '' };
  await assert.rejects(saveImage(store, { config: bad, layers: [layer] }), { code: 'ERR_INVALID_CONFIG' });
  const blobs: string[] = [];
  for await (const digest of store.list()) blobs.push(digest);
  assert.deepEqual(blobs, [layer.digest]);
});

test('an image built with appendLayer saves', async () => {
  const { store, layer } = await storeWithLayer();
  const built = appendLayer(createConfig({ platform: 'linux/arm64', created: null }), { diffId: digestOf('diff'), history: { created_by: 'COPY' } });
  const saved = await saveImage(store, { config: built, layers: [layer] });
  assert.equal(saved.config.variant, 'v8');
  assert.deepEqual(saved.config.history, [{ created_by: 'COPY' }]);
});
