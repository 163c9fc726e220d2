import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../src/store/memory.js';
import { createLayer } from '../../../src/layer/create.js';
import { exportFilesystem, flattenLayers } from '../../../src/layer/flatten.js';
import { readTar } from '../../../src/layer/tar-reader.js';
import { openLayer } from '../../../src/layer/extract.js';
import { decompressStream } from '../../../src/layer/compress.js';

async function listing(tar: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar(decompressStream(tar))) {
    const body: Buffer[] = [];
    for await (const piece of e.body()) body.push(Buffer.from(piece));
    out.push(`${e.type}:${e.path}${body.length ? `=${Buffer.concat(body).toString()}` : ''}`);
  }
  return out;
}

async function stack(store: MemoryStore) {
  const l1 = await createLayer({ entries: [
    { path: 'a/one', type: 'file', content: '1' },
    { path: 'a/two', type: 'file', content: '2' },
    { path: 'b/keep', type: 'file', content: 'k' },
    { path: 'o/lower', type: 'file', content: 'l' },
  ] }, { store, sourceDateEpoch: 0 });
  const l2 = await createLayer({ entries: [
    { path: 'a/.wh.one', type: 'file', content: '' },
    { path: 'a/two', type: 'file', content: 'TWO' },
    { path: 'o/.wh..wh..opq', type: 'file', content: '' },
    { path: 'o/upper', type: 'file', content: 'u' },
  ] }, { store, sourceDateEpoch: 0, compression: 'zstd' });
  return [l1.descriptor, l2.descriptor];
}

test('flattenLayers squashes a stack into one layer with no whiteouts left', async () => {
  const store = new MemoryStore();
  const layers = await stack(store);
  const flat = await flattenLayers(store, layers, { sourceDateEpoch: 0, xattrs: false });
  assert.deepEqual(await listing(await openLayer(store, flat.descriptor)), ['dir:a/', 'file:a/two=TWO', 'dir:b/', 'file:b/keep=k', 'dir:o/', 'file:o/upper=u']);
  const again = await flattenLayers(store, layers, { sourceDateEpoch: 0, xattrs: false });
  assert.equal(again.descriptor.digest, flat.descriptor.digest, 'flattening is reproducible');
});

test('exportFilesystem streams the merged tree as a plain tar', async () => {
  const store = new MemoryStore();
  const layers = await stack(store);
  assert.deepEqual(await listing(exportFilesystem(store, layers, { xattrs: false })), ['dir:a/', 'file:a/two=TWO', 'dir:b/', 'file:b/keep=k', 'dir:o/', 'file:o/upper=u']);
});

test('a layer whose bytes do not match its descriptor is refused', async () => {
  const store = new MemoryStore();
  const [l1] = await stack(store);
  const forged = { ...l1!, size: l1!.size + 1 };
  await assert.rejects(flattenLayers(store, [forged], { xattrs: false }), { code: 'ERR_SIZE_MISMATCH' });
});

test('owners survive flattening whether or not the scratch extraction could apply them', async () => {
  const store = new MemoryStore();
  const l = await createLayer({ entries: [{ path: 'home/u/f', type: 'file', content: 'x', uid: 1000, gid: 1001 }] }, { store, sourceDateEpoch: 0 });
  for (const sameOwner of [false, ...(process.getuid?.() === 0 ? [true] : [])]) {
    const flat = await flattenLayers(store, [l.descriptor], { sourceDateEpoch: 0, xattrs: false, apply: { sameOwner } });
    const owners: string[] = [];
    for await (const e of readTar(decompressStream(await openLayer(store, flat.descriptor)))) owners.push(`${e.path}:${e.uid}:${e.gid}`);
    assert.ok(owners.includes('home/u/f:1000:1001'), `sameOwner ${sameOwner}: ${owners.join(' ')}`);
  }
});
