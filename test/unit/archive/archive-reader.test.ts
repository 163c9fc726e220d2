import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readArchive } from '../../../src/archive/archive-reader.js';
import type { Digest } from '../../../src/digest/digest.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { chunked, makeTar } from './fixtures.js';

test('one pass keeps metadata in memory, stores other files as blobs, records links and what it added', async () => {
  const store = new MemoryStore();
  const existing = Buffer.from('already stored');
  await store.put(existing);
  const layer = Buffer.from('layer bytes');
  const archive = await makeTar([
    { name: 'manifest.json', data: '[]' },
    { name: 'abc.json', data: '{"config":true}' },
    { name: 'id1/', type: 'directory' },
    { name: 'id1/json', data: '{"v1":true}' },
    { name: 'id1/VERSION', data: '1.0' },
    { name: 'id1/layer.tar', data: layer },
    { name: 'id2/layer.tar', type: 'symlink', linkname: '../id1/layer.tar' },
    { name: 'old.tar', data: existing },
    { name: `blobs/sha256/${digestOf('blob').slice(7)}`, data: 'blob' },
  ]);
  const added = new Set<Digest>();
  const contents = await readArchive(chunked(archive, 100), store, added);
  assert.deepEqual([...contents.metadata.keys()].sort(), ['abc.json', 'id1/json', 'manifest.json']);
  assert.deepEqual([...contents.files.keys()].sort(), [`blobs/sha256/${digestOf('blob').slice(7)}`, 'id1/layer.tar', 'old.tar']);
  assert.equal(contents.files.get('id1/layer.tar')!.digest, digestOf(layer));
  assert.deepEqual(contents.files.get('id1/layer.tar')!.head, layer.subarray(0, 8));
  assert.equal(contents.links.get('id2/layer.tar'), 'id1/layer.tar');
  // Tiny chunks (a slow pipe) give the same heads.
  const slow = await readArchive(chunked(archive, 3), new MemoryStore(), new Set());
  assert.deepEqual(slow.files.get('id1/layer.tar')!.head, layer.subarray(0, 8));
  // The blob that was already in the store is not counted as added, so a rollback keeps it.
  assert.deepEqual([...added].sort(), [digestOf('blob'), digestOf(layer)].sort());
});

test('a metadata file over the limit fails with ERR_ARCHIVE_TOO_LARGE', async () => {
  const archive = await makeTar([{ name: 'index.json', data: Buffer.alloc(2048, 0x20) }]);
  await assert.rejects(readArchive(chunked(archive), new MemoryStore(), new Set(), { maxMetadataSize: 1024 }), (err: Error & { code?: string }) => err.code === 'ERR_ARCHIVE_TOO_LARGE');
});
