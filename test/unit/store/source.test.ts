import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PutVerifier, sourceChunks } from '../../../src/store/source.js';
import { digestOf } from '../../../src/digest/hasher.js';

async function collect(source: Parameters<typeof sourceChunks>[0]): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of sourceChunks(source)) parts.push(c);
  return Buffer.concat(parts).toString();
}

test('sourceChunks accepts bytes, strings and async iterables', async () => {
  assert.equal(await collect('text'), 'text');
  assert.equal(await collect(Buffer.from('bytes')), 'bytes');
  assert.equal(await collect((async function* () { yield Buffer.from('a'); yield Buffer.from('b'); })()), 'ab');
});

test('PutVerifier stops at the first byte over the promised size', () => {
  const v = new PutVerifier({ size: 3 });
  v.add(Buffer.from('abc'));
  assert.throws(() => v.add(Buffer.from('d')), { code: 'ERR_SIZE_MISMATCH' });
});

test('PutVerifier checks the digest with the promised algorithm', () => {
  const v = new PutVerifier({ digest: digestOf('x', 'sha512') });
  v.add(Buffer.from('x'));
  assert.deepEqual(v.finish(), { digest: digestOf('x', 'sha512'), size: 1 });
  const w = new PutVerifier({ digest: digestOf('x') });
  w.add(Buffer.from('y'));
  assert.throws(() => w.finish(), { code: 'ERR_DIGEST_MISMATCH' });
  assert.throws(() => new PutVerifier({ size: -1 }), /non-negative integer/);
});
