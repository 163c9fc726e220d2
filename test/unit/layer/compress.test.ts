import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gunzipSync, gzipSync } from 'node:zlib';
import { compressStream, decompressStream, sniffCompression, zstdWriter } from '../../../src/layer/compress.js';
import { streamOf } from './fixtures.js';

function sample(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + (i >> 7)) & 0xff;
  return b;
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

function chunks(data: Buffer, size: number): Buffer[] {
  return Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size));
}

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
  const gz = spawnSync('gzip', ['-dc'], { input: a });
  assert.equal(gz.status, 0);
  assert.deepEqual(gz.stdout, data);
});

test('zstd output decompresses with our reader and with the zstd CLI', async () => {
  assert.notEqual(zstdWriter(), undefined, 'zstd is needed on this machine (apt-get install zstd)');
  const data = sample(300_000);
  const z = await collect(compressStream(streamOf(...chunks(data, 100_000)), 'zstd'));
  assert.equal(sniffCompression(z), 'zstd');
  assert.deepEqual(await collect(decompressStream(streamOf(z))), data);
  const cli = spawnSync('zstd', ['-dc'], { input: z });
  assert.deepEqual(cli.stdout, data);
});

test('decompressStream detects gzip, zstd and plain input from the bytes', async () => {
  const data = sample(70_000);
  assert.deepEqual(await collect(decompressStream(streamOf(gzipSync(data)))), data);
  assert.deepEqual(await collect(decompressStream(streamOf(data))), data);
  const z = spawnSync('zstd', ['-q', '-c'], { input: data }).stdout;
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
});
