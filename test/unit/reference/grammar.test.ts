import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hasDigestShape,
  isImageIdentifier,
  isValidDomain,
  isValidRepositoryPath,
  isValidTag,
} from '../../../src/reference/grammar.js';

test('isValidDomain: names, IPv4, bracketed IPv6, optional numeric port', () => {
  for (const ok of ['localhost', 'a', 'example.com', 'Example.COM', 'a-b.c', '127.0.0.1:5000', '[::1]', '[::1]:5000', '[fe80::1:2]:1', 'x:0']) {
    assert.equal(isValidDomain(ok), true, ok);
  }
  for (const bad of ['', '-a', 'a-', 'a..b', '.a', 'a.', 'a_b.com', 'a:', 'a:b', 'a:1:2', '[::1', '[::1]x', '[::1]:', '[g::1]', '[]', 'a b']) {
    assert.equal(isValidDomain(bad), false, bad);
  }
});

test('isValidRepositoryPath: lower-case components with . _ __ - separators', () => {
  for (const ok of ['a', 'a/b', 'a.b', 'a_b', 'a__b', 'a-b', 'a--b', 'a0/9z', 'library/ubuntu']) {
    assert.equal(isValidRepositoryPath(ok), true, ok);
  }
  for (const bad of ['', 'A', 'a/', '/a', 'a//b', 'a___b', 'a..b', 'a._b', '_a', 'a-', 'a b', 'a:b']) {
    assert.equal(isValidRepositoryPath(bad), false, bad);
  }
});

test('isValidTag: word character then up to 127 of [\\w.-]', () => {
  assert.equal(isValidTag('latest'), true);
  assert.equal(isValidTag('_'), true);
  assert.equal(isValidTag('V1.2-rc_3'), true);
  assert.equal(isValidTag('a'.repeat(128)), true);
  assert.equal(isValidTag('a'.repeat(129)), false);
  assert.equal(isValidTag(''), false);
  assert.equal(isValidTag('.a'), false);
  assert.equal(isValidTag('-a'), false);
  assert.equal(isValidTag('a/b'), false);
});

test('hasDigestShape and isImageIdentifier', () => {
  assert.equal(hasDigestShape(`sha256:${'a'.repeat(64)}`), true);
  assert.equal(hasDigestShape(`Sha256+b64.x:${'A'.repeat(32)}`), true);
  assert.equal(hasDigestShape(`sha256:${'a'.repeat(31)}`), false);
  assert.equal(hasDigestShape(`1sha:${'a'.repeat(32)}`), false);
  assert.equal(isImageIdentifier('0'.repeat(64)), true);
  assert.equal(isImageIdentifier('0'.repeat(63)), false);
  assert.equal(isImageIdentifier('A'.repeat(64)), false);
});
