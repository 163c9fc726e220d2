import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lutimesSync, mkdirSync, utimesSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressStream } from '../../../src/layer/compress.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { createLayer, prepareEntries } from '../../../src/layer/create.js';
import { readTar } from '../../../src/layer/tar-reader.js';
import { OCI, DOCKER } from '../../../src/image/media-types.js';
import { tempDir } from '../../helpers/tmp.js';
import { streamOf } from './fixtures.js';

async function members(store: MemoryStore, digest: `${string}:${string}`): Promise<{ path: string; mode: number; uid: number; gid: number; mtime: number; uname: string; type: string; linkname: string }[]> {
  const blob = await store.get(digest);
  const out = [];
  for await (const e of readTar(streamOf(blob[0] === 0x1f ? gunzipSync(blob) : blob))) {
    out.push({ path: e.path, mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime, uname: e.uname, type: e.type, linkname: e.linkname });
  }
  return out;
}

function makeTree(root: string, mtime: number): void {
  mkdirSync(join(root, 'b/c'), { recursive: true });
  writeFileSync(join(root, 'b/c/file'), 'hello');
  writeFileSync(join(root, 'a'), 'a');
  symlinkSync('a', join(root, 'link'));
  for (const p of ['b/c/file', 'a', 'b/c', 'b']) utimesSync(join(root, p), mtime, mtime);
  lutimesSync(join(root, 'link'), mtime, mtime);
}

test('the same tree gives byte-identical layers; digests, diffID and sizes are right', async (t) => {
  const base = await tempDir(t);
  makeTree(join(base, 'one'), 1_600_000_000);
  makeTree(join(base, 'two'), 1_600_000_000);
  const store = new MemoryStore();
  const a = await createLayer({ dir: join(base, 'one') }, { store });
  const b = await createLayer({ dir: join(base, 'two') }, { store });
  assert.deepEqual(a, b);
  const blob = await store.get(a.descriptor.digest);
  assert.equal(a.descriptor.mediaType, OCI.layerGzip);
  assert.equal(a.descriptor.size, blob.length);
  assert.equal(a.descriptor.digest, `sha256:${createHash('sha256').update(blob).digest('hex')}`);
  const tar = gunzipSync(blob);
  assert.equal(a.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  assert.equal(a.uncompressedSize, tar.length);
  const list = await members(store, a.descriptor.digest);
  assert.deepEqual(list.map((m) => m.path), ['a', 'b/', 'b/c/', 'b/c/file', 'link']);
  assert.ok(list.every((m) => m.uname === ''));
});

test('SOURCE_DATE_EPOCH clamps mtimes; mtime, chown, chmod and prefix apply', async (t) => {
  const dir = await tempDir(t);
  makeTree(dir, 1_600_000_000);
  const store = new MemoryStore();
  const clamped = await createLayer({ dir }, { store, sourceDateEpoch: 1_500_000_000, compression: 'none' });
  assert.ok((await members(store, clamped.descriptor.digest)).every((m) => m.mtime === 1_500_000_000));
  const later = await createLayer({ dir }, { store, sourceDateEpoch: 1_700_000_000, compression: 'none' });
  assert.ok((await members(store, later.descriptor.digest)).every((m) => m.mtime === 1_600_000_000));
  const shaped = await createLayer({ dir }, { store, compression: 'none', mtime: 5, chown: { uid: 1000, gid: 1001 }, chmod: 0o640, prefix: '/app/src/', include: (p) => !p.startsWith('b/c/') });
  const list = await members(store, shaped.descriptor.digest);
  assert.deepEqual(list.map((m) => m.path), ['app/', 'app/src/', 'app/src/a', 'app/src/b/', 'app/src/b/c/', 'app/src/link']);
  for (const m of list) {
    assert.equal(m.mtime, 5);
    assert.deepEqual([m.uid, m.gid], [1000, 1001]);
    assert.equal(m.mode, m.type === 'symlink' ? 0o777 : 0o640, m.path);
  }
});

test('the environment SOURCE_DATE_EPOCH is honoured when no option is given', async () => {
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '1000';
  try {
    const store = new MemoryStore();
    const r = await createLayer({ entries: [{ path: 'x', type: 'file', content: 'x', mtime: 2000 }] }, { store, compression: 'none' });
    assert.equal((await members(store, r.descriptor.digest))[0]?.mtime, 1000);
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
});

test('entry lists: parents are added, sorted, hardlinks checked, media types follow family and compression', async () => {
  const store = new MemoryStore();
  const r = await createLayer(
    {
      entries: [
        { path: 'z/file', type: 'file', content: 'z' },
        { path: 'usr/bin/tool', type: 'file', content: async function* () { yield Buffer.from('bin'); }, size: 3, mode: 0o755 },
        { path: 'usr/bin/alias', type: 'hardlink', linkname: 'usr/bin/tool' },
        { path: 'dev/console', type: 'char', devmajor: 5, devminor: 1 },
      ],
    },
    { store, family: 'docker' },
  );
  assert.equal(r.descriptor.mediaType, DOCKER.layerGzip);
  const list = await members(store, r.descriptor.digest);
  // alias sorts before tool, so alias carries the bytes and tool becomes the link.
  assert.deepEqual(list.map((m) => `${m.type}:${m.path}${m.linkname ? `->${m.linkname}` : ''}`), ['dir:dev/', 'char:dev/console', 'dir:usr/', 'dir:usr/bin/', 'file:usr/bin/alias', 'hardlink:usr/bin/tool->usr/bin/alias', 'dir:z/', 'file:z/file']);
  assert.equal(list.find((m) => m.path === 'usr/bin/alias')?.mode, 0o755);
  const none = await createLayer({ entries: [{ path: 'x', type: 'file', content: '' }] }, { store, compression: 'none', family: 'docker' });
  assert.equal(none.descriptor.mediaType, DOCKER.layer);
  const zstd = await createLayer({ entries: [{ path: 'x', type: 'file', content: '' }] }, { store, compression: 'zstd' });
  assert.equal(zstd.descriptor.mediaType, OCI.layerZstd);
});

test('invalid entries are refused with ERR_LAYER_INVALID_ENTRY', () => {
  const bad = [
    [{ path: 'a', type: 'file', content: 'x' }, { path: './a', type: 'file', content: 'y' }],
    [{ path: 'l', type: 'hardlink', linkname: 'missing' }],
    [{ path: 's', type: 'symlink' }],
    [{ path: '../x', type: 'file', content: '' }],
    [{ path: 'f', type: 'file', content: async function* () {} }],
    [{ path: 'f', type: 'file', content: 'abc', size: 4 }],
  ] as const;
  for (const entries of bad) assert.throws(() => prepareEntries(entries as never), { code: 'ERR_LAYER_INVALID_ENTRY' }, JSON.stringify(entries));
});

test('a tar source is stored as is, re-cut for compression', async () => {
  const store = new MemoryStore();
  const inner = await createLayer({ entries: [{ path: 'x', type: 'file', content: 'x' }] }, { store, compression: 'none' });
  const tar = await store.get(inner.descriptor.digest);
  const r = await createLayer({ tar: streamOf(tar.subarray(0, 100), tar.subarray(100)) }, { store });
  assert.equal(r.diffId, inner.diffId);
  assert.deepEqual(gunzipSync(await store.get(r.descriptor.digest)), tar);
});

test('a compressed tar source is decompressed: media type, bytes and diffID describe the tar', async () => {
  const store = new MemoryStore();
  const inner = await createLayer({ entries: [{ path: 'x', type: 'file', content: 'x'.repeat(5000) }] }, { store, compression: 'none' });
  const tar = await store.get(inner.descriptor.digest);
  const gz = gzipSync(tar);
  const plain = await createLayer({ tar: streamOf(gz.subarray(0, 7), gz.subarray(7)) }, { store, compression: 'none' });
  assert.equal(plain.descriptor.mediaType, OCI.layer);
  assert.equal(plain.diffId, inner.diffId);
  assert.equal(plain.descriptor.digest, inner.diffId);
  assert.deepEqual(await store.get(plain.descriptor.digest), tar);
  const zstdChunks: Uint8Array[] = [];
  for await (const c of compressStream(streamOf(tar), 'zstd', { zstdEncoder: 'wasm' })) zstdChunks.push(c);
  const fromZstd = await createLayer({ tar: streamOf(...zstdChunks) }, { store, compression: 'gzip' });
  assert.equal(fromZstd.diffId, inner.diffId);
  assert.equal(fromZstd.uncompressedSize, tar.length);
  assert.deepEqual(gunzipSync(await store.get(fromZstd.descriptor.digest)), tar);
});

test('a tar source keeps the bytes after its end-of-archive blocks (record padding) in the diffID', async () => {
  const store = new MemoryStore();
  const inner = await createLayer({ entries: [{ path: 'x', type: 'file', content: 'x' }] }, { store, compression: 'none' });
  const padded = Buffer.concat([await store.get(inner.descriptor.digest), Buffer.alloc(10240)]);
  const r = await createLayer({ tar: streamOf(padded) }, { store, compression: 'gzip' });
  assert.equal(r.diffId, `sha256:${createHash('sha256').update(padded).digest('hex')}`);
});

test('a tar source that is not a tar is refused with ERR_TAR_FORMAT', async () => {
  const store = new MemoryStore();
  for (const bytes of [Buffer.from('not a tar\n'.repeat(200)), gzipSync(Buffer.from('{"json": true}'.repeat(100)))]) {
    await assert.rejects(createLayer({ tar: streamOf(bytes) }, { store, compression: 'none' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_TAR_FORMAT');
      assert.match(err.message, /not a valid tar archive/);
      return true;
    });
  }
  for await (const digest of store.list()) assert.fail(`nothing should be stored, found ${digest}`);
});

test('every compression carries the same tar (recycled chunk buffers never leak into later chunks)', async (t) => {
  const dir = await tempDir(t);
  for (let i = 0; i < 40; i++) {
    mkdirSync(join(dir, `d${i % 5}`), { recursive: true });
    writeFileSync(join(dir, `d${i % 5}`, `f${i}`), Buffer.alloc(150_000 + i * 1000, i));
  }
  const store = new MemoryStore();
  const results = [];
  for (const compression of ['none', 'gzip', 'zstd'] as const) results.push(await createLayer({ dir }, { store, compression, chunkSize: 64 * 1024, xattrs: false }));
  const [none, gzip, zstd] = results;
  assert.ok((none?.uncompressedSize ?? 0) > 6_000_000);
  assert.equal(gzip?.diffId, none?.diffId);
  assert.equal(zstd?.diffId, none?.diffId);
  assert.deepEqual(gunzipSync(await store.get(gzip!.descriptor.digest)), await store.get(none!.descriptor.digest));
});

test('a store that fails mid-layer fails createLayer without leaving helpers behind', async (t) => {
  const dir = await tempDir(t);
  for (let i = 0; i < 30; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(200_000, i));
  const failing = new MemoryStore();
  failing.put = async (source) => {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      void chunk;
      throw new Error('disk full');
    }
    throw new Error('no data');
  };
  for (const compression of ['gzip', 'zstd', 'none'] as const) {
    await assert.rejects(createLayer({ dir }, { store: failing, compression, chunkSize: 64 * 1024 }), /disk full/, compression);
  }
});
