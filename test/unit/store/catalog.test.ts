import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/store/memory.js';
import { familiarTag, imageHistory, inspectImage, listImages, normalizeName, rawConfig, rawManifest, resolveImage } from '../../../src/store/catalog.js';
import { makeImage, makeIndex } from './fixtures/images.js';

const HELLO = 'docker.io/library/hello:latest';

test('names normalize and print familiar', () => {
  assert.equal(normalizeName('hello'), HELLO);
  assert.equal(familiarTag(HELLO), 'hello:latest');
  assert.equal(familiarTag('localhost:5000/a/b:1'), 'localhost:5000/a/b:1');
  assert.equal(familiarTag('v1'), 'v1');
});

test('resolveImage finds by familiar name, full name, digest, image ID prefix and raw stored name', async () => {
  const store = new MemoryStore();
  const img = await makeImage(store, { tag: HELLO });
  await store.setTag('v1', img.manifest);
  const expect = { name: HELLO, descriptor: img.manifest };
  assert.deepEqual(await resolveImage(store, 'hello'), expect);
  assert.deepEqual(await resolveImage(store, 'hello:latest'), expect);
  assert.deepEqual(await resolveImage(store, HELLO), expect);
  assert.deepEqual((await resolveImage(store, `hello@${img.manifest.digest}`)).descriptor, img.manifest);
  assert.deepEqual((await resolveImage(store, img.config.digest.slice(7, 19))).descriptor, img.manifest);
  assert.deepEqual((await resolveImage(store, img.manifest.digest)).descriptor, img.manifest);
  assert.deepEqual(await resolveImage(store, 'v1'), { name: 'v1', descriptor: img.manifest });
  // An untagged manifest is still reachable by its digest.
  const loose = await makeImage(store, { layers: ['other'] });
  assert.deepEqual((await resolveImage(store, `anything@${loose.manifest.digest}`)).descriptor, loose.manifest);
  await assert.rejects(resolveImage(store, 'nothere'), { code: 'ERR_TAG_NOT_FOUND', message: /no image named nothere/ });
});

test('listImages: familiar names, sizes of config + layers, newest first', async () => {
  const store = new MemoryStore();
  const old = await makeImage(store, { tag: HELLO, created: '2020-01-01T00:00:00Z', layers: ['aaaa', 'bbbbbb'] });
  const fresh = await makeImage(store, { tag: 'localhost:5000/app/web:v2', created: '2025-01-01T00:00:00Z', layers: ['c'] });
  const rows = await listImages(store);
  assert.deepEqual(
    rows.map((r) => [r.repository, r.tag, r.digest, r.id, r.size, r.created]),
    [
      ['localhost:5000/app/web', 'v2', fresh.manifest.digest, fresh.config.digest, fresh.config.size + 1, '2025-01-01T00:00:00Z'],
      ['hello', 'latest', old.manifest.digest, old.config.digest, old.config.size + 10, '2020-01-01T00:00:00Z'],
    ],
  );
});

test('listImages keeps images whose blobs are missing, without size', async () => {
  const store = new MemoryStore();
  const img = await makeImage(store, { tag: HELLO });
  await store.delete(img.config.digest);
  const [row] = await listImages(store);
  assert.equal(row?.size, undefined);
  assert.equal(row?.digest, img.manifest.digest);
});

test('inspectImage has the docker image inspect shape', async () => {
  const store = new MemoryStore();
  const img = await makeImage(store, { tag: HELLO, created: '2024-05-01T10:00:00Z', layers: ['x', 'yy'], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  await store.setTag('docker.io/library/hello:1.0', img.manifest);
  const record = await inspectImage(store, 'hello');
  assert.deepEqual(record, {
    Id: img.config.digest,
    RepoTags: ['hello:latest', 'hello:1.0'],
    RepoDigests: [`hello@${img.manifest.digest}`],
    Parent: '',
    Comment: '',
    Created: '2024-05-01T10:00:00Z',
    Author: '',
    Config: { Env: ['PATH=/usr/bin'], Cmd: ['/bin/sh'] },
    Architecture: 'arm64',
    Variant: 'v8',
    Os: 'linux',
    Size: img.config.size + 3,
    RootFS: { Type: 'layers', Layers: img.configJson.rootfs.diff_ids },
    Metadata: { LastTagTime: '' },
  });
});

test('multi-platform: the host platform by default, --platform picks another, raw index on request', async () => {
  const store = new MemoryStore();
  const amd = await makeImage(store, { platform: { os: 'linux', architecture: 'amd64' }, layers: ['amd'] });
  const arm = await makeImage(store, { platform: { os: 'linux', architecture: 'arm64' }, layers: ['arm'] });
  const index = await makeIndex(store, [amd, arm], HELLO);
  const armRecord = await inspectImage(store, 'hello', { platform: 'linux/arm64' });
  assert.equal(armRecord.Id, arm.config.digest);
  assert.deepEqual(armRecord.RepoDigests, [`hello@${index.descriptor.digest}`]);
  assert.deepEqual((await rawManifest(store, 'hello')).bytes, index.bytes);
  assert.deepEqual((await rawManifest(store, 'hello', { platform: 'linux/arm64' })).bytes, arm.manifestBytes);
  assert.deepEqual((await rawConfig(store, 'hello', { platform: 'linux/amd64' })).bytes, amd.configBytes);
  await assert.rejects(inspectImage(store, 'hello', { platform: 'linux/s390x' }), { code: 'ERR_PLATFORM_NOT_FOUND' });
});

test('imageHistory maps non-empty steps to layers, newest first', async () => {
  const store = new MemoryStore();
  const img = await makeImage(store, {
    tag: HELLO,
    layers: ['base layer', 'app'],
    history: [
      { created: '2024-01-01T00:00:00Z', created_by: 'ADD rootfs.tar /' },
      { created: '2024-01-02T00:00:00Z', created_by: 'ENV A=1', empty_layer: true },
      { created: '2024-01-03T00:00:00Z', created_by: 'COPY app /app', comment: 'built by test' },
    ],
  });
  const rows = await imageHistory(store, 'hello');
  assert.deepEqual(rows, [
    { id: img.config.digest, created: '2024-01-03T00:00:00Z', createdBy: 'COPY app /app', size: 3, comment: 'built by test', emptyLayer: false },
    { id: '<missing>', created: '2024-01-02T00:00:00Z', createdBy: 'ENV A=1', size: 0, comment: '', emptyLayer: true },
    { id: '<missing>', created: '2024-01-01T00:00:00Z', createdBy: 'ADD rootfs.tar /', size: 10, comment: '', emptyLayer: false },
  ]);
});

test('listImages shows an index without the host platform by its first platform', async () => {
  const store = new MemoryStore();
  const only = await makeImage(store, { platform: { os: 'linux', architecture: 's390x' }, layers: ['zz'] });
  const index = await makeIndex(store, [only], 'docker.io/library/mainframe:1');
  const [row] = await listImages(store);
  assert.equal(row?.digest, index.descriptor.digest);
  assert.equal(row?.id, only.config.digest);
  assert.equal(row?.size, only.config.size + 2);
});
