import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { decompressed, peek, sniffCompression } from '../../../src/archive/compression.js';
import { chunked } from './fixtures.js';

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

test('sniffCompression knows the magic numbers', () => {
  assert.equal(sniffCompression(Buffer.from([0x1f, 0x8b, 8])), 'gzip');
  assert.equal(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  assert.equal(sniffCompression(Buffer.from('BZh9')), 'bzip2');
  assert.equal(sniffCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0])), 'xz');
  assert.equal(sniffCompression(Buffer.from('plain')), 'none');
  assert.equal(sniffCompression(Buffer.alloc(0)), 'none');
});

test('peek returns the head and a stream that still yields everything', async () => {
  const data = Buffer.from('0123456789abcdef');
  const { head, stream } = await peek(chunked(data, 3), 5);
  assert.equal(head.toString(), '01234');
  assert.deepEqual(await collect(stream), data);
});

test('decompressed undoes gzip, passes plain data, refuses bzip2', async () => {
  const data = Buffer.from('hello archive '.repeat(1000));
  const gz = await decompressed(chunked(gzipSync(data), 100), { what: 'x' });
  assert.equal(gz.compression, 'gzip');
  assert.deepEqual(await collect(gz.stream), data);
  const plain = await decompressed(chunked(data), { what: 'x' });
  assert.deepEqual(await collect(plain.stream), data);
  await assert.rejects(decompressed(chunked(Buffer.from('BZh91AY&SY')), { what: 'the archive' }), /the archive is bzip2-compressed/);
});
