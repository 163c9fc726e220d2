import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { flattenImage } from '../../../src/archive/flatten.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { loadImage } from '../../../src/image/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { layeredImage, storeImage, tarFiles } from './fixtures.js';

test('flatten squashes the layers into one with whiteouts applied and keeps the rest of the config', async () => {
  const store = new MemoryStore();
  const image = await layeredImage();
  await storeImage(store, image, 'docker.io/library/flat:1');
  const result = await flattenImage(store, 'flat:1', { tag: 'flat:squashed' });
  const flat = await loadImage(store, result.descriptor);
  assert.equal(flat.manifest.layers.length, 1);
  const tar = gunzipSync(await store.get(flat.manifest.layers[0]!.digest));
  assert.deepEqual(flat.config.rootfs.diff_ids, [digestOf(tar)]);
  assert.deepEqual(await tarFiles(tar), { 'b.txt': 'b2' });
  assert.deepEqual(flat.config.config, image.config.config);
  assert.equal(flat.config.history?.length, 1);
});
