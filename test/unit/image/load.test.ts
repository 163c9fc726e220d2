import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/store/memory.js';
import { imageId, loadImage } from '../../../src/image/load.js';
import { saveImage } from '../../../src/image/save.js';
import { createConfig } from '../../../src/image/config.js';
import { createIndex } from '../../../src/image/image-index.js';
import { createManifest } from '../../../src/image/manifest.js';
import { canonicalJson } from '../../../src/image/json.js';
import { EMPTY_DESCRIPTOR, EMPTY_JSON } from '../../../src/image/descriptor.js';
import { DOCKER, OCI } from '../../../src/image/media-types.js';
import { formatPlatform, hostPlatform } from '../../../src/image/platform.js';
import { digestOf } from '../../../src/digest/hasher.js';
import type { Descriptor, Platform } from '../../../src/image/types.js';
import type { LoadedImage } from '../../../src/image/load.js';

async function putDocument(store: MemoryStore, mediaType: string, value: unknown, extra: Partial<Descriptor> = {}): Promise<Descriptor> {
  const info = await store.put(canonicalJson(value));
  return { mediaType, digest: info.digest, size: info.size, ...extra };
}

async function image(store: MemoryStore, platform: Platform | string, family: 'oci' | 'docker' = 'oci'): Promise<LoadedImage> {
  const content = `layer for ${typeof platform === 'string' ? platform : formatPlatform(platform)}`;
  const info = await store.put(content);
  return saveImage(store, {
    config: createConfig({ platform, created: '2024-01-01T00:00:00Z', diffIds: [digestOf(content)] }),
    layers: [{ mediaType: OCI.layerGzip, digest: info.digest, size: info.size }],
    family,
  });
}

async function multiPlatform(store: MemoryStore, platforms: string[], family: 'oci' | 'docker' = 'oci'): Promise<Descriptor> {
  const manifests: Descriptor[] = [];
  for (const p of platforms) {
    const saved = await image(store, p, family);
    manifests.push({ ...saved.descriptor, platform: { os: saved.config.os, architecture: saved.config.architecture, ...(saved.config.variant ? { variant: saved.config.variant } : {}) } });
  }
  const index = createIndex({ manifests, family });
  return putDocument(store, index.mediaType as string, index);
}

const other = (): string => (hostPlatform().architecture === 's390x' ? 'linux/ppc64le' : 'linux/s390x');

test('loadImage resolves a familiar reference through the full normalized tag', async () => {
  const store = new MemoryStore();
  const saved = await image(store, 'linux/amd64');
  await store.setTag('docker.io/library/hello:latest', saved.descriptor);
  for (const target of ['hello', 'hello:latest', 'docker.io/library/hello', 'index.docker.io/hello:latest']) {
    const loaded = await loadImage(store, target);
    assert.equal(loaded.descriptor.digest, saved.descriptor.digest, target);
    assert.deepEqual(loaded.manifest, saved.manifest);
    assert.deepEqual(loaded.config, saved.config);
    assert.deepEqual(loaded.configDescriptor, saved.configDescriptor);
    assert.equal(loaded.name, 'docker.io/library/hello:latest');
    assert.equal(loaded.index, undefined);
  }
  assert.equal(imageId(saved), saved.configDescriptor.digest);
});

test('loadImage by digest, by reference@digest and by descriptor', async () => {
  const store = new MemoryStore();
  const saved = await image(store, 'linux/amd64');
  const byDigest = await loadImage(store, saved.descriptor.digest);
  assert.deepEqual(byDigest.descriptor, saved.descriptor);
  assert.equal(byDigest.name, undefined);
  const byRef = await loadImage(store, `localhost:5000/app:ignored@${saved.descriptor.digest}`);
  assert.equal(byRef.descriptor.digest, saved.descriptor.digest);
  assert.equal(byRef.name, `localhost:5000/app:ignored@${saved.descriptor.digest}`);
  const byDescriptor = await loadImage(store, saved.descriptor);
  assert.deepEqual(byDescriptor.config, saved.config);
});

test('missing images give ERR_NOT_FOUND naming what was looked for', async () => {
  const store = new MemoryStore();
  await assert.rejects(loadImage(store, 'nope'), {
    code: 'ERR_NOT_FOUND',
    message: 'image nope:latest not found in the store (no tag docker.io/library/nope:latest)',
  });
  await assert.rejects(loadImage(store, digestOf('x')), { code: 'ERR_NOT_FOUND', message: /no manifest or index sha256:/ });
  await assert.rejects(loadImage(store, 'sha256:abc'), { code: 'ERR_INVALID_DIGEST' });
  await assert.rejects(loadImage(store, 'Bad/Name'), { code: 'ERR_INVALID_REFERENCE' });
  const blobsOnly = { get: store.get.bind(store), stat: store.stat.bind(store) };
  await assert.rejects(loadImage(blobsOnly, 'hello'), { code: 'ERR_NOT_FOUND', message: /this store has no tags/ });
});

test('an index resolves to the manifest for the platform, default the host', async () => {
  const store = new MemoryStore();
  const host = formatPlatform(hostPlatform());
  const root = await multiPlatform(store, [other(), host, 'linux/arm/v6']);
  await store.setTag('docker.io/library/multi:latest', root);
  const loaded = await loadImage(store, 'multi');
  assert.equal(formatPlatform({ os: loaded.config.os, architecture: loaded.config.architecture, ...(loaded.config.variant ? { variant: loaded.config.variant } : {}) }), host);
  assert.deepEqual(loaded.index?.descriptor, root);
  assert.equal(loaded.index?.index.manifests.length, 3);
  assert.ok(loaded.descriptor.platform, 'the chosen descriptor keeps its platform');
  const arm = await loadImage(store, 'multi', { platform: 'linux/arm/v7' });
  assert.equal(arm.config.variant, 'v6');
});

test('no manifest for the platform: ERR_PLATFORM_NOT_FOUND lists the available ones', async () => {
  const store = new MemoryStore();
  const root = await multiPlatform(store, ['linux/amd64', 'linux/arm64/v8']);
  await store.setTag('docker.io/library/multi:latest', root);
  await assert.rejects(loadImage(store, 'multi', { platform: 'linux/riscv64' }), (err: Error & { code?: string; available?: string[] }) => {
    assert.equal(err.code, 'ERR_PLATFORM_NOT_FOUND');
    assert.equal(err.message, 'no manifest for platform linux/riscv64 in multi:latest (available: linux/amd64, linux/arm64/v8)');
    assert.deepEqual(err.available, ['linux/amd64', 'linux/arm64/v8']);
    return true;
  });
});

test('an explicit platform must match a single-platform image too', async () => {
  const store = new MemoryStore();
  const saved = await image(store, 'linux/arm64');
  await assert.rejects(loadImage(store, saved.descriptor.digest, { platform: 'linux/amd64' }), {
    code: 'ERR_PLATFORM_NOT_FOUND',
    message: /available: linux\/arm64\/v8/,
  });
  // Without an explicit platform the image is loaded whatever its platform, as Docker does.
  assert.equal((await loadImage(store, saved.descriptor.digest)).config.architecture, 'arm64');
  assert.equal((await loadImage(store, saved.descriptor.digest, { platform: 'linux/arm64/v8' })).config.architecture, 'arm64');
});

test('Docker manifest lists, nested indexes and single platformless entries', async () => {
  const store = new MemoryStore();
  const list = await multiPlatform(store, ['linux/amd64', 'linux/arm64/v8'], 'docker');
  const fromList = await loadImage(store, list, { platform: 'linux/arm64' });
  assert.equal(fromList.descriptor.mediaType, DOCKER.manifest);
  assert.equal(fromList.config.architecture, 'arm64');

  const outer = createIndex({ manifests: [{ ...list, mediaType: DOCKER.manifestList }] });
  const outerDescriptor = await putDocument(store, OCI.index, outer);
  const nested = await loadImage(store, outerDescriptor, { platform: 'linux/amd64' });
  assert.equal(nested.config.architecture, 'amd64');
  assert.equal(nested.index?.descriptor.digest, list.digest);
  await assert.rejects(loadImage(store, outerDescriptor, { platform: 'linux/s390x' }), {
    code: 'ERR_PLATFORM_NOT_FOUND',
    message: /available: linux\/amd64, linux\/arm64\/v8/,
  });

  const single = await image(store, 'linux/amd64');
  const { platform: _p, ...bare } = single.descriptor;
  const layoutLike = await putDocument(store, OCI.index, createIndex({ manifests: [bare] }));
  assert.equal((await loadImage(store, layoutLike.digest)).descriptor.digest, single.descriptor.digest);
});

test('schema 1 manifests and non-image artifacts are refused clearly', async () => {
  const store = new MemoryStore();
  const v1 = await putDocument(store, DOCKER.manifestV1Signed, { schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] });
  await store.setTag('docker.io/library/old:latest', v1);
  await assert.rejects(loadImage(store, 'old'), { code: 'ERR_UNSUPPORTED_MANIFEST', message: /schema 1 is not supported/ });
  await assert.rejects(loadImage(store, v1.digest), { code: 'ERR_UNSUPPORTED_MANIFEST', message: /schema 1/ });

  await store.put(EMPTY_JSON);
  const artifact = createManifest({ config: EMPTY_DESCRIPTOR, layers: [], artifactType: 'application/vnd.example.sbom+json' });
  const artifactDescriptor = await putDocument(store, OCI.manifest, artifact);
  await assert.rejects(loadImage(store, artifactDescriptor), {
    code: 'ERR_UNSUPPORTED_MANIFEST',
    message: /is not a container image: its config has media type application\/vnd.oci.empty.v1\+json \(artifact type application\/vnd.example.sbom\+json\)/,
  });
  const layerBlob = await putDocument(store, OCI.layerGzip, {});
  await assert.rejects(loadImage(store, layerBlob), { code: 'ERR_UNSUPPORTED_MANIFEST', message: /not an image manifest or index/ });
});

test('damaged documents are detected', async () => {
  const store = new MemoryStore();
  const saved = await image(store, 'linux/amd64');
  await assert.rejects(loadImage(store, { ...saved.descriptor, size: saved.descriptor.size + 1 }), { code: 'ERR_SIZE_MISMATCH' });
  await assert.rejects(loadImage(store, { ...saved.descriptor, size: 5 * 1024 * 1024 }), { code: 'ERR_INVALID_MANIFEST', message: /more than the/ });

  // A manifest whose config lists no diff IDs for its one layer.
  const config = await putDocument(store, OCI.config, createConfig({ platform: 'linux/amd64', created: null }));
  const broken = createManifest({ config, layers: saved.manifest.layers });
  await assert.rejects(loadImage(store, await putDocument(store, OCI.manifest, broken)), {
    code: 'ERR_INVALID_CONFIG',
    message: /rootfs.diff_ids has 0 entries but manifest sha256:\w+ has 1 layers/,
  });
  // A config descriptor with the wrong size.
  const lying = createManifest({ config: { ...saved.configDescriptor, size: 1 }, layers: saved.manifest.layers });
  await assert.rejects(loadImage(store, await putDocument(store, OCI.manifest, lying)), { code: 'ERR_SIZE_MISMATCH' });
  // Bytes that are not a manifest at all.
  const junk = await store.put('not json');
  await assert.rejects(loadImage(store, junk.digest), { code: 'ERR_INVALID_MANIFEST', message: /not valid JSON/ });
  const missingConfig = createManifest({ config: { ...saved.configDescriptor, digest: digestOf('gone') }, layers: saved.manifest.layers });
  await assert.rejects(loadImage(store, await putDocument(store, OCI.manifest, missingConfig)), { code: 'ERR_BLOB_NOT_FOUND' });
});
