import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheForStore, DirectoryBuildCache, FileDigestCache, LAYOUT_CACHE_DIR, MemoryBuildCache, stepKey, WriteOnlyCache } from '../../../src/build/cache.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { OciLayout } from '../../../src/store/layout.js';
import { tempDir } from '../../helpers/tmp.js';

const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'a'.repeat(64)}` as const, size: 3 };

test('stepKey chains: the same parts give the same key, any change another', () => {
  const a = stepKey('p', 'COPY a /a', 'h1');
  assert.equal(a, stepKey('p', 'COPY a /a', 'h1'));
  assert.notEqual(a, stepKey('q', 'COPY a /a', 'h1'));
  assert.notEqual(a, stepKey('p', 'COPY a /a', 'h2'));
  assert.notEqual(stepKey('p', 'ab', 'c'), stepKey('p', 'a', 'bc'), 'parts are delimited');
});

test('DirectoryBuildCache persists records and the file digest table atomically', async (t) => {
  const dir = await tempDir(t);
  const cache = new DirectoryBuildCache(dir);
  await cache.set('k1', { layer, diffId: `sha256:${'b'.repeat(64)}`, created: 'then' });
  await cache.set('k2', { created: 'empty step' });
  cache.files.set('sig', 'digest');
  await cache.flush();
  const again = new DirectoryBuildCache(dir);
  assert.deepEqual(await again.get('k1'), { layer, diffId: `sha256:${'b'.repeat(64)}`, created: 'then' });
  assert.deepEqual(await again.get('k2'), { created: 'empty step' });
  assert.equal(await again.get('missing'), undefined);
  assert.equal(again.files.get('sig'), 'digest');
  assert.deepEqual((await readdir(dir)).sort(), ['files.json', 'steps']);
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'files.json'), 'utf8')), { sig: 'digest' });
});

test('cacheForStore: a layout keeps its cache in its private folder; other stores get one per object', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const cache = cacheForStore(layout);
  assert.ok(cache instanceof DirectoryBuildCache);
  assert.ok((await stat(join(dir, LAYOUT_CACHE_DIR))).isDirectory());
  const memory = new MemoryStore();
  assert.equal(cacheForStore(memory), cacheForStore(memory));
  assert.notEqual(cacheForStore(memory), cacheForStore(new MemoryStore()));
});

test('WriteOnlyCache never answers but still records', async () => {
  const inner = new MemoryBuildCache();
  const cache = new WriteOnlyCache(inner);
  await cache.set('k', { created: 'x' });
  assert.equal(await cache.get(), undefined);
  assert.deepEqual(await inner.get('k'), { created: 'x' });
});

test('FileDigestCache signatures change with size and mtime', async (t) => {
  const dir = await tempDir(t);
  const st = await stat(dir);
  const sig = FileDigestCache.signature('/x', st);
  assert.equal(sig, FileDigestCache.signature('/x', st));
  assert.notEqual(sig, FileDigestCache.signature('/x', { ...st, mtimeMs: st.mtimeMs + 1 } as typeof st));
  const table = new FileDigestCache();
  assert.equal(table.changed, false);
  table.set(sig, 'd');
  assert.equal(table.changed, true);
});
