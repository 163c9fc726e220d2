import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { appendLayers } from '../../../src/archive/append.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { loadImage } from '../../../src/image/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeImage, makeTar, storeImage } from './fixtures.js';

test('appending a plain and a gzip tarball adds two layers on top and keeps the base layers', async (t) => {
  const dir = await tempDir(t);
  const store = new MemoryStore();
  const base = await makeImage(['base']);
  await storeImage(store, base, 'docker.io/library/base:1');
  const plain = await makeTar([{ name: 'added.txt', data: 'plain' }]);
  const gz = gzipSync(await makeTar([{ name: 'zipped.txt', data: 'gz' }]));
  await writeFile(join(dir, 'plain.tar'), plain);
  await writeFile(join(dir, 'zipped.tar.gz'), gz);

  const result = await appendLayers(store, 'base:1', [join(dir, 'plain.tar'), join(dir, 'zipped.tar.gz')], { tag: 'appended:1' });
  assert.equal(result.tag, 'docker.io/library/appended:1');
  const image = await loadImage(store, 'appended:1');
  assert.deepEqual(image.manifest.layers.slice(0, 1), base.manifest.layers);
  assert.equal(image.manifest.layers.length, 3);
  // A compressed tarball is stored byte for byte; its diffID is of the uncompressed tar.
  assert.equal(image.manifest.layers[2]!.digest, digestOf(gz));
  assert.deepEqual(image.config.rootfs.diff_ids.slice(1), [digestOf(plain), digestOf(await makeTar([{ name: 'zipped.txt', data: 'gz' }]))]);
  assert.equal(image.config.history?.length, 3);
  assert.equal((await store.resolveTag('docker.io/library/base:1'))?.digest, base.descriptor.digest);
});

test('appending to scratch makes an image of just the new layers', async () => {
  const store = new MemoryStore();
  const tar = await makeTar([{ name: 'only.txt', data: 'x' }]);
  async function* bytes() {
    yield tar;
  }
  const result = await appendLayers(store, 'scratch', [bytes()], { tag: 'fromscratch:1', platform: 'linux/amd64' });
  const image = await loadImage(store, result.descriptor);
  assert.deepEqual(image.config.rootfs.diff_ids, [digestOf(tar)]);
  assert.equal(image.manifest.layers.length, 1);
});

test('with SOURCE_DATE_EPOCH the appended history entry has that time and the result is reproducible', async (t) => {
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '1700000000';
  t.after(() => (saved === undefined ? delete process.env.SOURCE_DATE_EPOCH : (process.env.SOURCE_DATE_EPOCH = saved)));
  const tar = await makeTar([{ name: 'r', data: 'r' }]);
  const digests = [];
  for (let i = 0; i < 2; i++) {
    const store = new MemoryStore();
    await storeImage(store, await makeImage(['base']), 'docker.io/library/base:1');
    async function* bytes() {
      yield tar;
    }
    const result = await appendLayers(store, 'base:1', [bytes()]);
    const image = await loadImage(store, result.descriptor);
    assert.equal(image.config.history?.at(-1)?.created, '2023-11-14T22:13:20Z');
    digests.push(result.descriptor.digest);
  }
  assert.equal(digests[0], digests[1]);
});
