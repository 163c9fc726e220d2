import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { exportImage } from '../../../src/archive/export.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { layeredImage, storeImage, tarFiles } from './fixtures.js';

test('export writes the merged filesystem as a plain tar, whiteouts applied', async () => {
  const store = new MemoryStore();
  await storeImage(store, await layeredImage(), 'docker.io/library/exp:1');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportImage(store, 'exp:1', out);
  assert.deepEqual(await tarFiles(Buffer.concat(chunks)), { 'b.txt': 'b2' });
  await assert.rejects(exportImage(store, 'nope:1', new PassThrough()), (err: Error & { code?: string }) => err.code === 'ERR_IMAGE_NOT_FOUND');
});
