import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { importRootfs } from '../../../src/archive/import.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { tempDir } from '../../helpers/tmp.js';
import { chunked, makeTar } from './fixtures.js';

const rootfs = () => makeTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/hostname', data: 'imported\n' }, { name: 'bin/hello', data: '#!/bin/sh\necho hi\n' }]);

test('a plain rootfs tar file becomes a one-layer image: the tar kept as is, gzip-compressed', async (t) => {
  const dir = await tempDir(t);
  const tar = await rootfs();
  const path = join(dir, 'rootfs.tar');
  await writeFile(path, tar);
  const store = new MemoryStore();
  const result = await importRootfs(path, store, { ref: 'imported:1', platform: 'linux/arm64/v8', changes: ['CMD ["/bin/hello"]', 'ENV A=1'] });
  assert.equal(result.tag, 'docker.io/library/imported:1');
  const { config, manifest } = result.image;
  assert.equal(manifest.layers.length, 1);
  assert.deepEqual(config.rootfs.diff_ids, [digestOf(tar)]);
  assert.deepEqual(gunzipSync(await store.get(manifest.layers[0]!.digest)), tar);
  assert.deepEqual([config.os, config.architecture, config.variant], ['linux', 'arm64', 'v8']);
  assert.deepEqual(config.config?.Cmd, ['/bin/hello']);
  assert.deepEqual(config.config?.Env, ['A=1']);
  assert.match(config.history?.[0]?.comment ?? '', /Imported from .*rootfs\.tar/);
});

test('a gzip stream (stdin) and an http URL import the same filesystem', async (t) => {
  const tar = await rootfs();
  const gz = gzipSync(tar);
  const store = new MemoryStore();
  const fromStream = await importRootfs(chunked(gz), store, { platform: 'linux/amd64' });
  assert.equal(fromStream.tag, undefined);
  assert.deepEqual(fromStream.image.config.rootfs.diff_ids, [digestOf(tar)]);

  const server = createServer((req, res) => {
    if (req.url === '/rootfs.tar.gz') res.end(gz);
    else res.writeHead(404).end('no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fromUrl = await importRootfs(`${base}/rootfs.tar.gz`, store, { platform: 'linux/amd64', ref: 'web:1' });
  assert.deepEqual(fromUrl.image.config.rootfs.diff_ids, [digestOf(tar)]);
  assert.equal(fromUrl.image.manifest.layers[0]!.digest, fromStream.image.manifest.layers[0]!.digest);
  await assert.rejects(importRootfs(`${base}/missing`, store), (err: Error & { code?: string }) => err.code === 'ERR_IMPORT_SOURCE' && /404/.test(err.message));
});

test('input that is not a tar fails clearly and tags nothing', async () => {
  const store = new MemoryStore();
  await assert.rejects(importRootfs(chunked(Buffer.from('hello world, not a tar'.repeat(40))), store, { ref: 'x:1' }), (err: Error & { code?: string }) => err.code === 'ERR_IMPORT_SOURCE');
  await assert.rejects(importRootfs('/nonexistent/rootfs.tar', store), (err: Error & { code?: string }) => err.code === 'ERR_IMPORT_SOURCE');
  assert.deepEqual(await store.listTags(), []);
});
