import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copy, pull, push } from '../../../src/registry/copy.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { OciLayout } from '../../../src/store/layout.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { OCI } from '../../../src/image/media-types.js';
import type { Descriptor } from '../../../src/image/types.js';
import { tempDir } from '../../helpers/tmp.js';

async function setup(t: TestContext, registryOptions: Parameters<typeof TestRegistry.start>[0] = {}) {
  const registry = await TestRegistry.start(registryOptions);
  const client = new RegistryClient({ dockerConfig: false, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  return { registry, client };
}

/** Writes a small image per platform and an index over them into `store`, tagged `name`. */
async function makeImage(store: MemoryStore | OciLayout, name: string, platforms: string[] = ['linux/amd64']) {
  const entries: Descriptor[] = [];
  for (const platform of platforms) {
    const [os, architecture] = platform.split('/') as [string, string];
    const layer = Buffer.from(`layer for ${platform} `.repeat(500));
    const config = Buffer.from(JSON.stringify({ architecture, os, rootfs: { type: 'layers', diff_ids: [digestOf(layer)] } }));
    const l = await store.put(layer);
    const c = await store.put(config);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI.manifest,
      config: { mediaType: OCI.config, ...c }, layers: [{ mediaType: OCI.layer, ...l }],
    }));
    const m = await store.put(manifest);
    entries.push({ mediaType: OCI.manifest, ...m, platform: { os, architecture } });
  }
  const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: entries }));
  const i = await store.put(index);
  const root = { mediaType: OCI.index, ...i };
  await store.setTag(name, root);
  return { root, entries };
}

test('push from a memory store, pull back all platforms: same digests', async (t) => {
  const { registry, client } = await setup(t);
  const source = new MemoryStore();
  const ref = `${registry.host}/team/app:1`;
  const { root } = await makeImage(source, ref, ['linux/amd64', 'linux/arm64']);
  const pushed = await push(source, ref, undefined, { client });
  assert.equal(pushed.descriptor.digest, root.digest);
  assert.equal(pushed.blobs.copied, 4);
  assert.equal(pushed.manifests, 3);
  const target = new MemoryStore();
  const pulled = await pull(ref, target, { client, platform: 'all' });
  assert.equal(pulled.descriptor.digest, root.digest);
  assert.deepEqual(await target.resolveTag(ref), root);
  for await (const digest of source.list()) assert.ok(await target.has(digest), digest);
});

test('pull of one platform tags the platform manifest with the full reference', async (t) => {
  const { registry, client } = await setup(t);
  const source = new MemoryStore();
  const ref = `${registry.host}/team/app:multi`;
  const { entries } = await makeImage(source, ref, ['linux/amd64', 'linux/arm64']);
  await push(source, ref, undefined, { client });
  const target = new MemoryStore();
  const result = await pull(ref, target, { client, platform: 'linux/arm64' });
  assert.equal(result.descriptor.digest, entries[1]!.digest);
  assert.equal((await target.resolveTag(ref))?.digest, entries[1]!.digest);
  assert.equal(await target.has(entries[0]!.digest), false);
  await assert.rejects(pull(ref, new MemoryStore(), { client, platform: 'linux/s390x' }), (err: any) => {
    assert.equal(err.code, 'ERR_PLATFORM_NOT_FOUND');
    assert.match(err.hint, /linux\/amd64, linux\/arm64/);
    return true;
  });
});

test('re-push of an existing image sends only a manifest HEAD and the tag PUT', async (t) => {
  const { registry, client } = await setup(t);
  const source = new MemoryStore();
  const ref = `${registry.host}/team/app:1`;
  await makeImage(source, ref);
  await push(source, ref, undefined, { client });
  registry.reset();
  const again = await push(source, ref, undefined, { client });
  assert.equal(again.blobs.copied, 0);
  assert.deepEqual(registry.requests.map((r) => r.method), ['HEAD', 'PUT']);
  // Nothing moved, but every blob of the image was there: config + layer of each of 2 platforms.
  const multi = `${registry.host}/team/multi:1`;
  await makeImage(source, multi, ['linux/amd64', 'linux/arm64']);
  const first = await push(source, multi, undefined, { client });
  assert.deepEqual([first.blobs, first.upToDate], [{ copied: 4, skipped: 0, mounted: 0 }, false]);
  const repeated = await push(source, multi, undefined, { client });
  assert.deepEqual([repeated.blobs, repeated.upToDate], [{ copied: 0, skipped: 4, mounted: 0 }, true]);
  assert.deepEqual([again.blobs.skipped, again.upToDate], [2, true]);
});

test('a push whose blobs the registry has (but not the manifest) counts them as skipped', async (t) => {
  const { client, registry } = await setup(t);
  const source = new MemoryStore();
  const ref = `${registry.host}/team/app:1`;
  await makeImage(source, ref, ['linux/amd64', 'linux/arm64']);
  await push(source, ref, undefined, { client });
  // The same blobs under a new index (new annotation): blobs are HEADed and skipped.
  const index = JSON.parse((await source.get((await source.resolveTag(ref))!.digest)).toString());
  index.annotations = { note: 'changed' };
  const changed = await source.put(JSON.stringify(index));
  const ref2 = `${registry.host}/team/app:2`;
  await source.setTag(ref2, { mediaType: OCI.index, ...changed });
  const result = await push(source, ref2, undefined, { client });
  assert.deepEqual([result.blobs, result.upToDate], [{ copied: 0, skipped: 4, mounted: 0 }, false]);
});

test('registry to registry on one host mounts; to a layout and back keeps digests', async (t) => {
  const { registry, client } = await setup(t);
  const source = new MemoryStore();
  const ref = `${registry.host}/team/app:1`;
  const { root } = await makeImage(source, ref);
  await push(source, ref, undefined, { client });
  const copied = await copy(ref, `${registry.host}/other/app:2`, { client });
  assert.equal(copied.blobs.mounted, 2);
  assert.equal(copied.descriptor.digest, root.digest);
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  await copy(ref, { type: 'store', store: layout, name: 'local:1' }, { client });
  assert.equal((await layout.resolveTag('local:1'))?.digest, root.digest);
  const back = await copy({ type: 'store', store: layout, name: 'local:1' }, `${registry.host}/third/app:3`, { client });
  assert.equal(back.descriptor.digest, root.digest);
  assert.equal(back.name, `${registry.host}/third/app:3`);
});

test('push of a name the store lacks is ERR_IMAGE_NOT_FOUND', async (t) => {
  const { registry, client } = await setup(t);
  await assert.rejects(push(new MemoryStore(), `${registry.host}/nothing:1`, undefined, { client }), { code: 'ERR_IMAGE_NOT_FOUND' });
});

test('a corrupt blob from the registry fails the pull and leaves nothing in the store', async (t) => {
  const { registry, client } = await setup(t);
  const source = new MemoryStore();
  const ref = `${registry.host}/team/app:1`;
  const { entries } = await makeImage(source, ref);
  await push(source, ref, undefined, { client });
  registry.inject({ match: { method: 'GET', path: '/blobs/' }, action: { type: 'corrupt' }, times: 100 });
  const target = new MemoryStore();
  await assert.rejects(pull(ref, target, { client }), { code: 'ERR_DIGEST_MISMATCH' });
  const left: string[] = [];
  for await (const d of target.list()) left.push(d);
  assert.deepEqual(left, []);
  assert.equal(await target.resolveTag(ref), undefined);
  void entries;
});
