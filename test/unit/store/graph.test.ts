import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OciLayout } from '../../../src/store/layout.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { assertGraphPresent } from '../../../src/store/graph.js';
import type { ImageStore } from '../../../src/store/blob-store.js';
import type { Descriptor } from '../../../src/image/types.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { OCI } from '../../../src/image/media-types.js';
import { tempDir } from '../../helpers/tmp.js';

async function put(store: ImageStore, content: string | object, mediaType: string): Promise<Descriptor> {
  return { mediaType, ...(await store.put(typeof content === 'string' ? content : JSON.stringify(content))) };
}

const absent = (content: string, extra: Partial<Descriptor> = {}): Descriptor => ({ mediaType: OCI.layerGzip, digest: digestOf(content), size: content.length, ...extra });

for (const [kind, open] of [
  ['memory', async () => new MemoryStore()],
  ['layout', async (dir: string) => OciLayout.open(dir, { create: true })],
] as const) {
  test(`setTag refuses a manifest with a missing layer or config, naming it (${kind})`, async (t) => {
    const store = await open(await tempDir(t));
    const config = await put(store, { os: 'linux' }, OCI.config);
    const layer = await put(store, 'present layer', OCI.layerGzip);
    const missingLayer = absent('missing layer');
    const broken = await put(store, { schemaVersion: 2, config, layers: [layer, missingLayer] }, OCI.manifest);
    await assert.rejects(store.setTag('docker.io/library/broken:1', broken), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_BLOB_NOT_FOUND');
      assert.ok(err.message.includes(missingLayer.digest) && err.message.includes(`referenced by ${broken.digest}`), err.message);
      return true;
    });
    const noConfig = await put(store, { schemaVersion: 2, config: { ...config, digest: digestOf('gone config') }, layers: [layer] }, OCI.manifest);
    await assert.rejects(store.setTag('docker.io/library/broken:2', noConfig), { code: 'ERR_BLOB_NOT_FOUND' });
    assert.deepEqual(await store.listTags(), []);

    // A foreign layer is fetched from its urls, so it need not be stored.
    const foreign = await put(store, { schemaVersion: 2, config, layers: [layer, absent('foreign', { urls: ['https://example.com/l'] })] }, OCI.manifest);
    await store.setTag('docker.io/library/foreign:1', foreign);
    assert.deepEqual(await store.resolveTag('docker.io/library/foreign:1'), foreign);
  });

  test(`setTag walks an index down to the layers of its manifests (${kind})`, async (t) => {
    const store = await open(await tempDir(t));
    const config = await put(store, { os: 'linux' }, OCI.config);
    const good = await put(store, { schemaVersion: 2, config, layers: [await put(store, 'l', OCI.layerGzip)] }, OCI.manifest);
    const bad = await put(store, { schemaVersion: 2, config, layers: [absent('gone')] }, OCI.manifest);
    const complete = await put(store, { schemaVersion: 2, manifests: [good] }, OCI.index);
    await store.setTag('docker.io/library/multi:ok', complete);
    const partial = await put(store, { schemaVersion: 2, manifests: [good, bad] }, OCI.index);
    await assert.rejects(store.setTag('docker.io/library/multi:bad', partial), { code: 'ERR_BLOB_NOT_FOUND' });
    const missingChild = await put(store, { schemaVersion: 2, manifests: [good, { ...good, digest: digestOf('no manifest') }] }, OCI.index);
    await assert.rejects(assertGraphPresent(store, missingChild, 'here'), { code: 'ERR_BLOB_NOT_FOUND' });
  });
}
