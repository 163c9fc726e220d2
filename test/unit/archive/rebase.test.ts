import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rebaseImage } from '../../../src/archive/rebase.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { loadImage, OCI } from '../../../src/image/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { makeImageFromTars, makeTar, storeImage, type FixtureImage } from './fixtures.js';

/** An app image built on `base`: base layers + one app layer, with the base annotations. */
async function appOn(store: MemoryStore, base: FixtureImage, baseName: string): Promise<FixtureImage> {
  const appTar = await makeTar([{ name: 'app', data: 'app' }]);
  const app = await makeImageFromTars([...base.layers.map((l) => l.tar), appTar]);
  // Same base layer blobs as the base image, plus the app's own history entry.
  app.manifest.layers = [...base.manifest.layers, app.manifest.layers[app.manifest.layers.length - 1]!];
  const config = { ...app.config, history: [...(base.config.history ?? []), { created_by: 'COPY app' }] };
  const configBytes = Buffer.from(JSON.stringify(config));
  app.manifest.config = { mediaType: OCI.config, digest: digestOf(configBytes), size: configBytes.byteLength };
  app.manifest.annotations = { 'org.opencontainers.image.base.name': baseName, 'org.opencontainers.image.base.digest': base.descriptor.digest };
  const manifestBytes = Buffer.from(JSON.stringify(app.manifest));
  app.blobs.set(app.manifest.config.digest, configBytes);
  app.blobs.set(digestOf(manifestBytes), manifestBytes);
  app.descriptor = { mediaType: OCI.manifest, digest: digestOf(manifestBytes), size: manifestBytes.byteLength };
  app.config = config;
  await storeImage(store, app, 'docker.io/library/app:1');
  return app;
}

test('rebase swaps the annotated base layers for the new base and keeps the app layer', async () => {
  const store = new MemoryStore();
  const oldBase = await makeImageFromTars([await makeTar([{ name: 'os', data: 'v1' }])]);
  const newBase = await makeImageFromTars([await makeTar([{ name: 'os', data: 'v2' }]), await makeTar([{ name: 'patch', data: 'p' }])]);
  await storeImage(store, oldBase, 'docker.io/library/base:1');
  await storeImage(store, newBase, 'docker.io/library/base:2');
  const app = await appOn(store, oldBase, 'docker.io/library/base:1');

  const result = await rebaseImage(store, 'app:1', { newBase: 'base:2', tag: 'app:rebased' });
  const rebased = await loadImage(store, result.descriptor);
  const appLayer = app.manifest.layers[1]!;
  assert.deepEqual(rebased.manifest.layers, [...newBase.manifest.layers, appLayer]);
  assert.deepEqual(rebased.config.rootfs.diff_ids, [...newBase.config.rootfs.diff_ids, app.config.rootfs.diff_ids[1]]);
  assert.deepEqual(rebased.config.history?.map((h) => h.created_by), ['layer 0', 'layer 1', 'COPY app']);
  assert.equal(rebased.manifest.annotations?.['org.opencontainers.image.base.digest'], newBase.descriptor.digest);
  assert.equal(rebased.manifest.annotations?.['org.opencontainers.image.base.name'], 'docker.io/library/base:2');
});

test('rebase refuses an old base that is not the bottom of the image, and an image with no known base', async () => {
  const store = new MemoryStore();
  const oldBase = await makeImageFromTars([await makeTar([{ name: 'os', data: 'v1' }])]);
  const other = await makeImageFromTars([await makeTar([{ name: 'other', data: 'x' }])]);
  await storeImage(store, oldBase, 'docker.io/library/base:1');
  await storeImage(store, other, 'docker.io/library/other:1');
  await appOn(store, oldBase, 'docker.io/library/base:1');
  await assert.rejects(rebaseImage(store, 'app:1', { newBase: 'base:1', oldBase: 'other:1' }), (err: Error & { code?: string }) => err.code === 'ERR_IMAGE_SURGERY' && /not the base/.test(err.message));
  await assert.rejects(rebaseImage(store, 'other:1', { newBase: 'base:1' }), /cannot tell which base/);
});
