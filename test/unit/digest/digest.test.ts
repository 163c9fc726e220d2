import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseDigest, isDigest, toDigest } from '../../../src/digest/digest.js';
import { createHasher, digestOf, digestOfStream } from '../../../src/digest/hasher.js';
import { VerifyingStream, verifyBytes } from '../../../src/digest/verify.js';

const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('parseDigest accepts registered algorithms with the right length', () => {
  assert.deepEqual(parseDigest(EMPTY_SHA256), { algorithm: 'sha256', hex: EMPTY_SHA256.slice(7) });
  assert.equal(isDigest(`sha512:${'a'.repeat(128)}`), true);
  assert.equal(isDigest(`blake3:${'0'.repeat(64)}`), true);
});

test('parseDigest rejects malformed digests with ERR_INVALID_DIGEST', () => {
  for (const bad of ['', 'sha256', ':abc', 'sha256:', `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `md5:${'a'.repeat(32)}`, `SHA256:${'a'.repeat(64)}`, `sha256:${'g'.repeat(64)}`]) {
    assert.throws(() => toDigest(bad), { code: 'ERR_INVALID_DIGEST' }, bad);
  }
});

test('hashers agree across implementations', () => {
  const data = Buffer.from('hello world');
  for (const alg of ['sha256', 'sha512'] as const) {
    const a = createHasher(alg);
    a.update(data);
    const b = createHasher(alg, { pureJs: true });
    b.update(data);
    assert.equal(a.digest(), b.digest());
  }
  assert.equal(digestOf(''), EMPTY_SHA256);
  // BLAKE3 test vector for the empty input.
  assert.equal(digestOf('', 'blake3'), 'blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
});

test('digestOfStream hashes a stream', async () => {
  const result = await digestOfStream(Readable.from([Buffer.from('hello '), Buffer.from('world')]));
  assert.deepEqual(result, { digest: digestOf('hello world'), size: 11 });
});

test('VerifyingStream passes matching content and rejects a mismatch', async () => {
  const good = new VerifyingStream({ digest: digestOf('abc'), size: 3 });
  const chunks: Buffer[] = [];
  await pipeline(Readable.from([Buffer.from('abc')]), good, async (source) => {
    for await (const c of source) chunks.push(c as Buffer);
  });
  assert.equal(Buffer.concat(chunks).toString(), 'abc');
  assert.equal(good.digest, digestOf('abc'));

  const drain = async (s: AsyncIterable<unknown>) => {
    for await (const _ of s);
  };
  await assert.rejects(pipeline(Readable.from([Buffer.from('abd')]), new VerifyingStream({ digest: digestOf('abc') }), drain), {
    code: 'ERR_DIGEST_MISMATCH',
  });
  await assert.rejects(pipeline(Readable.from([Buffer.from('abcd')]), new VerifyingStream({ size: 3 }), drain), { code: 'ERR_SIZE_MISMATCH' });
  await assert.rejects(pipeline(Readable.from([Buffer.from('ab')]), new VerifyingStream({ size: 3 }), drain), { code: 'ERR_SIZE_MISMATCH' });
  assert.throws(() => verifyBytes(Buffer.from('x'), { digest: digestOf('y') }), { code: 'ERR_DIGEST_MISMATCH' });
});
