import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { saveArchive, type SaveArchiveOptions, type SaveSource } from '../../../src/archive/save.js';
import { loadArchive } from '../../../src/archive/load.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { OCI } from '../../../src/image/media-types.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { tempDir } from '../../helpers/tmp.js';
import { chunked, makeImage, storeImage, storeSnapshot } from './fixtures.js';

async function saveToBuffer(store: MemoryStore, refs: SaveSource[], options: SaveArchiveOptions = {}): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await saveArchive(store, refs, out, options);
  return Buffer.concat(chunks);
}

async function tarEntries(archive: Buffer): Promise<Map<string, Buffer>> {
  const extract = tarExtract();
  const files = new Map<string, Buffer>();
  const reading = (async () => {
    for await (const entry of extract as unknown as AsyncIterable<AsyncIterable<Buffer> & { header: { name: string; type: string } }>) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c);
      if (entry.header.type === 'file') files.set(entry.header.name, Buffer.concat(chunks));
    }
  })();
  extract.end(archive);
  await reading;
  return files;
}

test('docker format: Docker 25 layout plus manifest.json and repositories, blobs shared between images', async () => {
  const store = new MemoryStore();
  const a = await makeImage(['base', 'a-top']);
  const b = await makeImage(['base', 'b-top']);
  await storeImage(store, a, 'docker.io/library/app-a:1');
  await storeImage(store, b, 'localhost:5000/team/app-b:2');
  const files = await tarEntries(await saveToBuffer(store, ['app-a:1', 'localhost:5000/team/app-b:2']));

  assert.deepEqual(JSON.parse(files.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
  const manifestJson = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
  assert.deepEqual(manifestJson[0], {
    Config: `blobs/sha256/${a.configDescriptor.digest.slice(7)}`,
    RepoTags: ['app-a:1'],
    Layers: a.layers.map((l) => `blobs/sha256/${l.descriptor.digest.slice(7)}`),
  });
  assert.deepEqual(manifestJson[1]!.RepoTags, ['localhost:5000/team/app-b:2']);
  const repositories = JSON.parse(files.get('repositories')!.toString()) as Record<string, Record<string, string>>;
  assert.deepEqual(Object.keys(repositories).sort(), ['app-a', 'localhost:5000/team/app-b']);
  const index = JSON.parse(files.get('index.json')!.toString()) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
  assert.deepEqual(index.manifests.map((m) => m.annotations['io.containerd.image.name']), ['docker.io/library/app-a:1', 'localhost:5000/team/app-b:2']);
  assert.deepEqual(index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name']), ['1', '2']);
  // The shared base layer (same bytes in both images) is written once; every blob verifies.
  const blobNames = [...files.keys()].filter((n) => n.startsWith('blobs/'));
  assert.equal(blobNames.length, new Set([...a.blobs.keys(), ...b.blobs.keys()]).size);
  for (const name of blobNames) assert.equal(digestOf(files.get(name)!), `sha256:${name.slice('blobs/sha256/'.length)}`);
});

test('round trip: save then load into an empty store keeps manifest digests and tags', async () => {
  const source = new MemoryStore();
  const image = await makeImage(['x', 'y', 'z']);
  await storeImage(source, image, 'docker.io/library/round:trip');
  for (const format of ['docker', 'oci'] as const) {
    const target = new MemoryStore();
    const result = await loadArchive(chunked(await saveToBuffer(source, ['round:trip'], { format })), target);
    assert.equal(result.format, format);
    assert.equal(result.images[0]!.descriptor.digest, image.descriptor.digest);
    assert.equal((await target.resolveTag('docker.io/library/round:trip'))?.digest, image.descriptor.digest);
    assert.deepEqual((await storeSnapshot(target)).blobs, [...image.blobs.keys()].sort());
  }
});

test('the same images give byte-identical archives (fixed entry times)', async () => {
  const store = new MemoryStore();
  await storeImage(store, await makeImage(['same']), 'docker.io/library/same:1');
  const first = await saveToBuffer(store, ['same:1']);
  const second = await saveToBuffer(store, ['same:1']);
  assert.ok(first.equals(second));
});

test('oci format keeps a multi-platform index whole and names it with the full reference', async () => {
  const store = new MemoryStore();
  const amd = await makeImage(['amd']);
  const arm = await makeImage(['arm']);
  await storeImage(store, amd);
  await storeImage(store, arm);
  const indexBytes = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI.index,
    manifests: [
      { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  }));
  const indexDescriptor = { mediaType: OCI.index, digest: digestOf(indexBytes), size: indexBytes.byteLength };
  await store.put(indexBytes);
  await store.setTag('docker.io/library/multi:1', indexDescriptor);

  const oci = await tarEntries(await saveToBuffer(store, ['multi:1'], { format: 'oci' }));
  const index = JSON.parse(oci.get('index.json')!.toString()) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
  assert.equal(index.manifests[0]!.digest, indexDescriptor.digest);
  assert.equal(index.manifests[0]!.annotations['org.opencontainers.image.ref.name'], 'docker.io/library/multi:1');
  assert.ok(oci.has(`blobs/sha256/${arm.layers[0]!.descriptor.digest.slice(7)}`));
  assert.ok(!oci.has('manifest.json'));

  // A docker archive holds one platform: the requested one.
  const docker = await tarEntries(await saveToBuffer(store, ['multi:1'], { format: 'docker', platform: 'linux/arm64' }));
  const manifestJson = JSON.parse(docker.get('manifest.json')!.toString()) as Array<{ Config: string }>;
  assert.equal(manifestJson[0]!.Config, `blobs/sha256/${arm.configDescriptor.digest.slice(7)}`);
  assert.ok(!docker.has(`blobs/sha256/${amd.layers[0]!.descriptor.digest.slice(7)}`));
  await assert.rejects(saveToBuffer(store, ['multi:1'], { platform: 'linux/s390x' }), /no image for linux\/s390x.*linux\/amd64, linux\/arm64/);
});

test('saving to a file path writes atomically; unknown images fail before anything is written', async (t) => {
  const dir = await tempDir(t);
  const store = new MemoryStore();
  const image = await makeImage(['file']);
  await storeImage(store, image, 'docker.io/library/file:1');
  const path = join(dir, 'out.tar');
  await saveArchive(store, [{ descriptor: image.descriptor, reference: 'file:renamed' }], path);
  const files = await tarEntries(await readFile(path));
  assert.deepEqual((JSON.parse(files.get('manifest.json')!.toString()) as Array<{ RepoTags: string[] }>)[0]!.RepoTags, ['file:renamed']);
  await assert.rejects(saveArchive(store, ['nope:1'], join(dir, 'bad.tar')), (err: Error & { code?: string }) => err.code === 'ERR_IMAGE_NOT_FOUND');
  assert.deepEqual(await readdir(dir), ['out.tar']);
});

test('a store blob that no longer matches its digest fails the save', async () => {
  const store = new MemoryStore();
  const image = await makeImage(['rot']);
  await storeImage(store, image, 'docker.io/library/rot:1');
  const layer = image.layers[0]!.descriptor.digest;
  // Simulate bit rot: swap the stored bytes behind the store's back.
  const blobs = (store as unknown as { blobs: Map<string, Buffer> }).blobs;
  blobs.set(layer, Buffer.alloc(blobs.get(layer)!.byteLength, 1));
  await assert.rejects(saveToBuffer(store, ['rot:1']), /digest mismatch/);
});

test('naming an image twice, or by two names, writes it once with each name once', async () => {
  const store = new MemoryStore();
  const image = await makeImage(['twice']);
  await storeImage(store, image, 'docker.io/library/twice:1');
  await store.setTag('docker.io/library/twice:alias', image.descriptor);
  const files = await tarEntries(await saveToBuffer(store, ['twice:1', 'twice:1', 'twice:alias']));
  const manifestJson = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ RepoTags: string[] }>;
  assert.deepEqual(manifestJson.map((m) => m.RepoTags), [['twice:1', 'twice:alias']]);
  const index = JSON.parse(files.get('index.json')!.toString()) as { manifests: unknown[] };
  assert.equal(index.manifests.length, 2);
});
