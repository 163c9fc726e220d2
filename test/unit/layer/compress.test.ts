import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressStream, decompressStream, sniffCompression, zstdWriter } from '../../../src/layer/compress.js';
import { chunks, collect, sample, streamOf } from './fixtures.js';

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

test('chunked gzip is a valid multi-member gzip stream, in order, and deterministic', async () => {
  const data = sample(5 * 65536 + 77);
  const a = await collect(compressStream(streamOf(...chunks(data, 65536)), 'gzip', { concurrency: 3 }));
  const b = await collect(compressStream(streamOf(...chunks(data, 65536)), 'gzip', { concurrency: 1 }));
  assert.deepEqual(a, b);
  assert.deepEqual(gunzipSync(a), data);
  // Six members, each with header mtime 0 and no file name (FLG = 0).
  let members = 0;
  for (let i = 0; i + 10 < a.length; i++) if (a[i] === 0x1f && a[i + 1] === 0x8b && a[i + 2] === 8 && a[i + 3] === 0 && a.readUInt32LE(i + 4) === 0) members++;
  assert.ok(members >= 6);
  assert.equal(a.readUInt32LE(4), 0);
});

test('zstd without the CLI (WASM): independent 4 MiB frames that our reader reads back, deterministic', async () => {
  const data = sample(9 * 1024 * 1024 + 123);
  const z = await collect(compressStream(streamOf(...chunks(data, 1 << 20)), 'zstd', { zstdEncoder: 'wasm' }));
  assert.equal(sniffCompression(z), 'zstd');
  // Three frames (4 + 4 + 1 MiB), each starting with the zstd magic number (RFC 8878 section 3.1.1).
  let frames = 0;
  for (let i = z.indexOf(ZSTD_MAGIC); i >= 0; i = z.indexOf(ZSTD_MAGIC, i + 1)) frames++;
  assert.ok(frames >= 3, `frames: ${frames}`);
  assert.deepEqual(await collect(decompressStream(streamOf(...chunks(z, 70_000)))), data);
  const again = await collect(compressStream(streamOf(...chunks(data, 300_000)), 'zstd', { zstdEncoder: 'wasm' }));
  assert.deepEqual(again, z, 'the frames do not depend on how the input was chunked');
  const empty = await collect(compressStream(streamOf(), 'zstd', { zstdEncoder: 'wasm' }));
  assert.equal(sniffCompression(empty), 'zstd');
  assert.deepEqual(await collect(decompressStream(streamOf(empty))), Buffer.alloc(0));
});

test('the zstd writer prefers zlib, then the CLI, and always has the WASM fallback', () => {
  assert.ok(['zlib', 'cli', 'wasm'].includes(zstdWriter()));
});

test('decompressStream detects gzip, zstd and plain input from the bytes', async () => {
  const data = sample(70_000);
  assert.deepEqual(await collect(decompressStream(streamOf(gzipSync(data)))), data);
  assert.deepEqual(await collect(decompressStream(streamOf(data))), data);
  const z = await collect(compressStream(streamOf(data), 'zstd', { zstdEncoder: 'wasm' }));
  assert.deepEqual(await collect(decompressStream(streamOf(...chunks(z, 1000)))), data);
  assert.deepEqual(await collect(decompressStream(streamOf())), Buffer.alloc(0));
});

test('compression "none" passes bytes through', async () => {
  const data = sample(1000);
  assert.deepEqual(await collect(compressStream(streamOf(data), 'none')), data);
});

test('the ratio limit stops a decompression bomb; corrupt input is a typed error', async () => {
  const bomb = gzipSync(Buffer.alloc(16 << 20));
  await assert.rejects(collect(decompressStream(streamOf(bomb), { maxRatio: 100, ratioGrace: 1 << 20 })), { code: 'ERR_LAYER_LIMIT' });
  const corrupt = Buffer.from(gzipSync(sample(10_000)));
  corrupt.fill(0x55, 20, 60);
  await assert.rejects(collect(decompressStream(streamOf(corrupt))), { code: 'ERR_TAR_FORMAT' });
});

test('a failing source fails the gzip stream with the source error', async () => {
  async function* failing(): AsyncGenerator<Buffer> {
    yield sample(10);
    throw new Error('source broke');
  }
  await assert.rejects(collect(compressStream(failing(), 'gzip')), /source broke/);
  await assert.rejects(collect(compressStream(failing(), 'zstd')), /source broke/);
  await assert.rejects(collect(compressStream(failing(), 'zstd', { zstdEncoder: 'wasm' })), /source broke/);
});
