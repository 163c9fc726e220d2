import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { loadArchive } from '../../../src/archive/load.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { OCI } from '../../../src/image/media-types.js';
import { OciLayout } from '../../../src/store/layout.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { tempDir } from '../../helpers/tmp.js';
import { blobEntries, chunked, legacyArchive, makeImage, makeTar, ociArchive, storeImage, storeSnapshot } from './fixtures.js';

async function rejectsUnchanged(store: MemoryStore, archive: Buffer, code: string, message?: RegExp): Promise<void> {
  const before = await storeSnapshot(store);
  await assert.rejects(loadArchive(chunked(archive), store), (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
  assert.deepEqual(await storeSnapshot(store), before, 'the store must be left unchanged');
}

test('an OCI archive loads with its blobs verified and its full ref name as the tag', async () => {
  const image = await makeImage(['a', 'b']);
  const store = new MemoryStore();
  const result = await loadArchive(chunked(await ociArchive(image, 'localhost:5000/app:v1')), store);
  assert.equal(result.format, 'oci');
  assert.equal(result.images.length, 1);
  assert.deepEqual(result.images[0]!.tags, ['localhost:5000/app:v1']);
  assert.equal(result.images[0]!.descriptor.digest, image.descriptor.digest);
  assert.equal((await store.resolveTag('localhost:5000/app:v1'))?.digest, image.descriptor.digest);
  for (const [digest, bytes] of image.blobs) assert.deepEqual(await store.get(digest), bytes);
});

test('a bare tag ref name is tagged under --repository, and left untagged without it', async () => {
  const image = await makeImage(['x']);
  const archive = await ociArchive(image, 'v2');
  const untagged = new MemoryStore();
  const r1 = await loadArchive(chunked(archive), untagged);
  assert.deepEqual(r1.images[0]!.tags, []);
  assert.ok(await untagged.has(image.descriptor.digest));
  const tagged = new MemoryStore();
  const r2 = await loadArchive(chunked(archive), tagged, { repository: 'example/app' });
  assert.deepEqual(r2.images[0]!.tags, ['docker.io/example/app:v2']);
});

test('a gzip-compressed archive loads the same', async () => {
  const image = await makeImage(['gz']);
  const store = new MemoryStore();
  const result = await loadArchive(chunked(gzipSync(await ociArchive(image, 'docker.io/library/gz:latest'))), store);
  assert.equal(result.images[0]!.descriptor.digest, image.descriptor.digest);
  assert.equal((await store.resolveTag('docker.io/library/gz:latest'))?.digest, image.descriptor.digest);
});

test('a Docker 25 archive takes tags from io.containerd.image.name and from manifest.json RepoTags', async () => {
  const image = await makeImage(['d25']);
  const index = {
    schemaVersion: 2,
    manifests: [{ ...image.descriptor, annotations: { 'io.containerd.image.name': 'docker.io/library/web:1', 'org.opencontainers.image.ref.name': '1' } }],
  };
  const manifestJson = [{ Config: `blobs/sha256/${image.configDescriptor.digest.slice(7)}`, RepoTags: ['web:1', 'web:stable'], Layers: image.layers.map((l) => `blobs/sha256/${l.descriptor.digest.slice(7)}`) }];
  const archive = await makeTar([
    ...blobEntries(image),
    { name: 'index.json', data: JSON.stringify(index) },
    { name: 'manifest.json', data: JSON.stringify(manifestJson) },
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'repositories', data: '{"web":{"1":"abc"}}' },
  ]);
  const store = new MemoryStore();
  const result = await loadArchive(chunked(archive), store);
  assert.equal(result.format, 'docker');
  assert.deepEqual(result.images[0]!.tags.sort(), ['docker.io/library/web:1', 'docker.io/library/web:stable']);
  assert.equal((await store.resolveTag('docker.io/library/web:stable'))?.digest, image.descriptor.digest);
});

test('a legacy per-layer-directory archive loads: layers kept uncompressed, diffIDs checked, RepoTags applied', async () => {
  const image = await makeImage(['one', 'two']);
  const store = new MemoryStore();
  const result = await loadArchive(chunked(await legacyArchive(image, ['legacy:1', 'quay.io/org/legacy:2'])), store);
  assert.equal(result.format, 'docker-legacy');
  const [loaded] = result.images;
  assert.deepEqual(loaded!.tags, ['docker.io/library/legacy:1', 'quay.io/org/legacy:2']);
  const manifest = JSON.parse((await store.get(loaded!.descriptor.digest)).toString()) as { config: { digest: string }; layers: Array<{ digest: string; mediaType: string }> };
  // The config is kept byte for byte: the image ID does not change.
  assert.equal(manifest.config.digest, image.configDescriptor.digest);
  assert.deepEqual(manifest.layers.map((l) => l.digest), image.layers.map((l) => l.diffId));
  assert.deepEqual(manifest.layers.map((l) => l.mediaType), [OCI.layer, OCI.layer]);
  // Nothing but the image's own blobs stays behind (no v1 json files, no leftovers).
  const { blobs } = await storeSnapshot(store);
  assert.deepEqual(blobs, [loaded!.descriptor.digest, image.configDescriptor.digest, ...image.layers.map((l) => l.diffId)].sort());
});

test('a legacy archive with gzip layer files computes their diffIDs from the uncompressed content', async () => {
  const image = await makeImage(['zipped']);
  const configName = 'cfg.json';
  const archive = await makeTar([
    { name: 'layer0.tar.gz', data: image.layers[0]!.gz },
    { name: configName, data: image.configBytes },
    { name: 'manifest.json', data: JSON.stringify([{ Config: configName, RepoTags: ['zipped:latest'], Layers: ['layer0.tar.gz'] }]) },
  ]);
  const store = new MemoryStore();
  const result = await loadArchive(chunked(archive), store);
  const manifest = JSON.parse((await store.get(result.images[0]!.descriptor.digest)).toString()) as { layers: Array<{ digest: string; mediaType: string }> };
  assert.equal(manifest.layers[0]!.mediaType, OCI.layerGzip);
  assert.equal(manifest.layers[0]!.digest, digestOf(image.layers[0]!.gz));
});

test('skopeo-style symlinked layer paths are followed', async () => {
  const image = await makeImage(['linked']);
  const hex = image.layers[0]!.diffId.slice(7);
  const archive = await makeTar([
    { name: `${hex}.tar`, data: image.layers[0]!.tar },
    { name: 'v1id/', type: 'directory' },
    { name: 'v1id/layer.tar', type: 'symlink', linkname: `../${hex}.tar` },
    { name: 'config.json', data: image.configBytes },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'config.json', RepoTags: ['linked:latest'], Layers: ['v1id/layer.tar'] }]) },
  ]);
  const store = new MemoryStore();
  const result = await loadArchive(chunked(archive), store);
  assert.deepEqual(result.images[0]!.tags, ['docker.io/library/linked:latest']);
});

test('loading the same archive twice is idempotent and keeps existing blobs', async () => {
  const image = await makeImage(['again']);
  const archive = await legacyArchive(image, ['again:latest']);
  const store = new MemoryStore();
  const first = await loadArchive(chunked(archive), store);
  const snapshot = await storeSnapshot(store);
  const second = await loadArchive(chunked(archive), store);
  assert.equal(second.images[0]!.descriptor.digest, first.images[0]!.descriptor.digest);
  assert.deepEqual(await storeSnapshot(store), snapshot);
});

test('hostile: an entry path escaping the archive is refused and the store is unchanged', async () => {
  const image = await makeImage(['evil']);
  const store = new MemoryStore();
  await storeImage(store, await makeImage(['existing']), 'docker.io/library/existing:latest');
  await rejectsUnchanged(store, await ociArchive(image, 'evil:latest', [{ name: '../../etc/passwd', data: 'x' }]), 'ERR_ARCHIVE_PATH', /leaves the archive/);
  const symlinkOut = await makeTar([...blobEntries(image), { name: 'l', type: 'symlink', linkname: '../../outside' }]);
  await rejectsUnchanged(store, symlinkOut, 'ERR_ARCHIVE_PATH');
});

test('hostile: manifest.json naming a layer path outside the archive is refused', async () => {
  const image = await makeImage(['p']);
  const archive = await makeTar([
    { name: 'c.json', data: image.configBytes },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['p:1'], Layers: ['../../../etc/shadow'] }]) },
  ]);
  await rejectsUnchanged(new MemoryStore(), archive, 'ERR_ARCHIVE_PATH');
});

test('hostile: a manifest naming a blob the archive lacks is refused and nothing stays behind', async () => {
  const image = await makeImage(['m1', 'm2']);
  const missing = image.layers[1]!.descriptor.digest;
  const entries = blobEntries(image).filter((e) => !e.name.endsWith(missing.slice(7)));
  const index = { schemaVersion: 2, manifests: [{ ...image.descriptor, annotations: { 'org.opencontainers.image.ref.name': 'docker.io/library/m:1' } }] };
  const archive = await makeTar([{ name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' }, ...entries, { name: 'index.json', data: JSON.stringify(index) }]);
  await rejectsUnchanged(new MemoryStore(), archive, 'ERR_ARCHIVE_MISSING_BLOB', new RegExp(missing));
});

test('hostile: a blob whose content does not match its name is refused', async () => {
  const image = await makeImage(['real']);
  const layerHex = image.layers[0]!.descriptor.digest.slice(7);
  const entries = blobEntries(image).map((e) => (e.name.endsWith(layerHex) ? { ...e, data: Buffer.from('not the layer') } : e));
  const archive = await makeTar([{ name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' }, ...entries, { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [image.descriptor] }) }]);
  const store = new MemoryStore();
  await storeImage(store, await makeImage(['unrelated']), 'docker.io/library/unrelated:latest');
  await rejectsUnchanged(store, archive, 'ERR_ARCHIVE_INVALID', /does not hold the blob its name promises/);
});

test('hostile: a legacy layer that does not match the config diffID is refused', async () => {
  const image = await makeImage(['diff']);
  await rejectsUnchanged(new MemoryStore(), await legacyArchive(image, ['diff:1'], { corruptLayer: true }), 'ERR_ARCHIVE_INVALID', /diffID/);
});

test('hostile: a huge manifest.json is refused before it is read into memory', async () => {
  const huge = Buffer.alloc(17 * 1024 * 1024, 0x20);
  const archive = await makeTar([{ name: 'manifest.json', data: huge }]);
  await rejectsUnchanged(new MemoryStore(), archive, 'ERR_ARCHIVE_TOO_LARGE', /manifest\.json/);
});

test('input that is not a tar, and a tar with no image metadata, fail with ERR_ARCHIVE_FORMAT', async () => {
  await rejectsUnchanged(new MemoryStore(), Buffer.from('this is not a tar archive at all, just some text'.repeat(20)), 'ERR_ARCHIVE_FORMAT');
  await rejectsUnchanged(new MemoryStore(), await makeTar([{ name: 'readme.txt', data: 'hi' }]), 'ERR_ARCHIVE_FORMAT', /neither an index.json/);
  await rejectsUnchanged(new MemoryStore(), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0]), 'ERR_ARCHIVE_FORMAT', /xz-compressed/);
});

test('a failure after some blobs were stored removes exactly the blobs this load added', async () => {
  const shared = await makeImage(['shared']);
  const store = new MemoryStore();
  await storeImage(store, shared, 'docker.io/library/shared:latest');
  // The archive repeats the stored image's blobs and adds a new image whose config is missing.
  const other = await makeImage(['new-layer']);
  const entries = [...blobEntries(shared), ...blobEntries(other).filter((e) => !e.name.endsWith(other.configDescriptor.digest.slice(7)))];
  const index = { schemaVersion: 2, manifests: [{ ...shared.descriptor }, { ...other.descriptor }] };
  await rejectsUnchanged(store, await makeTar([...entries, { name: 'index.json', data: JSON.stringify(index) }]), 'ERR_ARCHIVE_MISSING_BLOB');
  for (const digest of shared.blobs.keys()) assert.ok(await store.has(digest));
});

test('on an on-disk store too, a failed load leaves no blob and no tag behind', async (t) => {
  const store = await OciLayout.open(await tempDir(t), { create: true });
  await storeImage(store, await makeImage(['kept']), 'docker.io/library/kept:1');
  const before = await storeSnapshot(store);
  const image = await makeImage(['l1', 'l2']);
  await assert.rejects(loadArchive(chunked(await legacyArchive(image, ['bad:1'], { corruptLayer: true })), store), /diffID/);
  assert.deepEqual(await storeSnapshot(store), before);
});

test('hostile: a descriptor whose size disagrees with the blob, a symlink loop, a missing config file', async () => {
  const image = await makeImage(['size']);
  const wrongSize = { schemaVersion: 2, manifests: [{ ...image.descriptor, size: image.descriptor.size + 1 }] };
  await rejectsUnchanged(new MemoryStore(), await makeTar([...blobEntries(image), { name: 'index.json', data: JSON.stringify(wrongSize) }]), 'ERR_ARCHIVE_INVALID', /says .* has \d+ bytes/);

  const loop = await makeTar([
    { name: 'a.tar', type: 'symlink', linkname: 'b.tar' },
    { name: 'b.tar', type: 'symlink', linkname: 'a.tar' },
    { name: 'c.json', data: image.configBytes },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: [], Layers: ['a.tar'] }]) },
  ]);
  await rejectsUnchanged(new MemoryStore(), loop, 'ERR_ARCHIVE_INVALID', /chain of links/);

  const noConfig = await makeTar([{ name: 'l.tar', data: image.layers[0]!.tar }, { name: 'manifest.json', data: JSON.stringify([{ Config: 'gone.json', RepoTags: ['x:1'], Layers: ['l.tar'] }]) }]);
  await rejectsUnchanged(new MemoryStore(), noConfig, 'ERR_ARCHIVE_MISSING_BLOB', /gone\.json/);
});

test('an index whose platforms are only partly in the archive is narrowed to what is there', async () => {
  const amd = await makeImage(['amd64 layer']);
  const arm = await makeImage(['arm64 layer']);
  const ppc = await makeImage(['ppc64le layer']);
  const indexOf = (...entries: Array<[typeof amd, string]>) => {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: entries.map(([img, arch]) => ({ ...img.descriptor, platform: { os: 'linux', architecture: arch } })) }));
    return { bytes, descriptor: { mediaType: OCI.index, digest: digestOf(bytes), size: bytes.byteLength } };
  };
  const archiveWith = async (index: ReturnType<typeof indexOf>, ...present: Array<typeof amd>) =>
    makeTar([
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
      ...blobEntries(...present),
      { name: `blobs/sha256/${index.descriptor.digest.slice(7)}`, data: index.bytes },
      { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [{ ...index.descriptor, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1' } }] }) },
    ]);

  // One platform present: the tag names that platform's manifest.
  const two = indexOf([amd, 'amd64'], [arm, 'arm64']);
  const store = new MemoryStore();
  const one = await loadArchive(chunked(await archiveWith(two, amd)), store);
  assert.equal(one.images[0]!.descriptor.digest, amd.descriptor.digest);
  assert.equal((await store.resolveTag('docker.io/library/multi:1'))?.digest, amd.descriptor.digest);
  assert.equal(await store.has(two.descriptor.digest), false);

  // Two of three present: a new index of those two.
  const three = indexOf([amd, 'amd64'], [arm, 'arm64'], [ppc, 'ppc64le']);
  const narrowStore = new MemoryStore();
  const narrowed = await loadArchive(chunked(await archiveWith(three, amd, ppc)), narrowStore);
  const stored = narrowed.images[0]!.descriptor;
  assert.equal(stored.mediaType, OCI.index);
  const kept = JSON.parse((await narrowStore.get(stored.digest)).toString()) as { manifests: Array<{ digest: string }> };
  assert.deepEqual(kept.manifests.map((m) => m.digest), [amd.descriptor.digest, ppc.descriptor.digest]);

  // None present: an error, store unchanged.
  await rejectsUnchanged(new MemoryStore(), await archiveWith(two), 'ERR_ARCHIVE_MISSING_BLOB', /every manifest of index/);
});

test('a pre-Docker-1.10 archive (repositories + v1 layer json, no manifest.json) loads with a rebuilt config', async () => {
  const base = await makeTar([{ name: 'etc/os', data: 'old' }]);
  const top = await makeTar([{ name: 'app', data: 'app' }]);
  const v1 = [
    { id: 'a'.repeat(64), created: '2015-01-01T00:00:00Z', container_config: { Cmd: ['/bin/sh', '-c', '#(nop) ADD file'] }, architecture: 'amd64', os: 'linux' },
    { id: 'b'.repeat(64), parent: 'a'.repeat(64), created: '2015-01-02T00:00:00Z', container_config: { Cmd: ['/bin/sh', '-c', 'make app'] }, config: { Cmd: ['/app'] }, architecture: 'amd64', os: 'linux' },
  ];
  const archive = await makeTar([
    { name: `${v1[0]!.id}/VERSION`, data: '1.0' },
    { name: `${v1[0]!.id}/json`, data: JSON.stringify(v1[0]) },
    { name: `${v1[0]!.id}/layer.tar`, data: base },
    { name: `${v1[1]!.id}/VERSION`, data: '1.0' },
    { name: `${v1[1]!.id}/json`, data: JSON.stringify(v1[1]) },
    { name: `${v1[1]!.id}/layer.tar`, data: top },
    { name: 'repositories', data: JSON.stringify({ old: { v1: v1[1]!.id } }) },
  ]);
  const store = new MemoryStore();
  const result = await loadArchive(chunked(archive), store);
  assert.equal(result.format, 'docker-v1');
  assert.deepEqual(result.images[0]!.tags, ['docker.io/library/old:v1']);
  const manifest = JSON.parse((await store.get(result.images[0]!.descriptor.digest)).toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const config = JSON.parse((await store.get(manifest.config.digest as `sha256:${string}`)).toString()) as { rootfs: { diff_ids: string[] }; config: { Cmd: string[] }; history: Array<{ created_by: string }> };
  assert.deepEqual(config.rootfs.diff_ids, [digestOf(base), digestOf(top)]);
  assert.deepEqual(manifest.layers.map((l) => l.digest), [digestOf(base), digestOf(top)]);
  assert.deepEqual(config.config.Cmd, ['/app']);
  assert.deepEqual(config.history.map((h) => h.created_by), ['/bin/sh -c #(nop) ADD file', '/bin/sh -c make app']);

  // A parent that is not in the archive is an error, and nothing stays behind.
  const broken = await makeTar([{ name: `${v1[1]!.id}/json`, data: JSON.stringify(v1[1]) }, { name: `${v1[1]!.id}/layer.tar`, data: top }, { name: 'repositories', data: JSON.stringify({ old: { v1: v1[1]!.id } }) }]);
  await rejectsUnchanged(new MemoryStore(), broken, 'ERR_ARCHIVE_MISSING_BLOB', /json/);
});
