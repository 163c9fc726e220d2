import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mutateConfig, mutateImage } from '../../../src/archive/mutate.js';
import { loadImage } from '../../../src/image/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { makeImage, storeImage } from './fixtures.js';

test('mutateImage rewrites config and manifest only, keeps layers, and moves the tag', async () => {
  const store = new MemoryStore();
  const image = await makeImage(['m']);
  await storeImage(store, image, 'docker.io/library/mut:1');
  const result = await mutateImage(store, 'mut:1', {
    entrypoint: ['/entry'],
    cmd: null,
    env: ['A=1', 'B=2'],
    labels: { team: 'x' },
    annotations: { 'org.opencontainers.image.source': 'https://example.com/repo' },
    user: 'nobody',
    workdir: '/w',
    exposedPorts: ['8080', '53/udp'],
    platform: 'linux/arm64',
  });
  assert.equal(result.tag, 'docker.io/library/mut:1');
  assert.notEqual(result.descriptor.digest, image.descriptor.digest);
  const loaded = await loadImage(store, 'mut:1', { platform: 'linux/arm64' });
  assert.deepEqual(loaded.manifest.layers, image.manifest.layers);
  assert.equal(loaded.manifest.annotations?.['org.opencontainers.image.source'], 'https://example.com/repo');
  const exec = loaded.config.config!;
  assert.deepEqual(exec.Entrypoint, ['/entry']);
  assert.equal(exec.Cmd, null);
  assert.deepEqual(exec.Env, ['A=1', 'B=2']);
  assert.deepEqual(exec.Labels, { team: 'x' });
  assert.equal(exec.User, 'nobody');
  assert.equal(exec.WorkingDir, '/w');
  assert.deepEqual(exec.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
  assert.equal(loaded.config.architecture, 'arm64');
  assert.deepEqual(loaded.config.rootfs, image.config.rootfs);
  // The original is untouched in the store.
  assert.ok(await store.has(image.descriptor.digest));
});

test('mutateImage can write to a new tag and leave the original tag alone', async () => {
  const store = new MemoryStore();
  const image = await makeImage(['n']);
  await storeImage(store, image, 'docker.io/library/orig:1');
  const result = await mutateImage(store, 'orig:1', { user: 'app' }, { tag: 'copy:2' });
  assert.equal(result.tag, 'docker.io/library/copy:2');
  assert.equal((await store.resolveTag('docker.io/library/orig:1'))?.digest, image.descriptor.digest);
});

test('mutateConfig: env entries replace by name, KEY alone removes; empty label value removes', () => {
  const config = mutateConfig(
    { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] }, config: { Env: ['A=1', 'B=2'], Labels: { x: '1', y: '2' } } },
    { env: ['A=9', 'B', 'C=3'], labels: { x: '' } },
  );
  assert.deepEqual(config.config?.Env, ['A=9', 'C=3']);
  assert.deepEqual(config.config?.Labels, { y: '2' });
  assert.throws(() => mutateConfig(config, { exposedPorts: ['http'] }), /invalid port/);
  assert.throws(() => mutateConfig(config, { env: ['=x'] }), /KEY=VALUE/);
});
