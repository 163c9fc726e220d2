import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDescriptor, assertTagName } from '../../../src/store/validate.js';
import { digestOf } from '../../../src/digest/hasher.js';
import type { Descriptor } from '../../../src/image/types.js';

test('tag names: full references pass, empty/whitespace/control/huge fail', () => {
  for (const ok of ['docker.io/library/hello:latest', 'localhost:5000/a/b@sha256:' + 'a'.repeat(64), 'v1']) assertTagName(ok);
  for (const bad of ['', 'a b', 'a\nb', 'x\u0000', 'a'.repeat(1025)]) assert.throws(() => assertTagName(bad), { code: 'ERR_INVALID_TAG' });
});

test('descriptors need mediaType, a valid digest and a non-negative integer size', () => {
  const good: Descriptor = { mediaType: 'm', digest: digestOf('x'), size: 1 };
  assertDescriptor(good);
  for (const bad of [{ ...good, mediaType: '' }, { ...good, digest: 'sha256:1' }, { ...good, size: 1.5 }, { ...good, size: -1 }, null]) {
    assert.throws(() => assertDescriptor(bad as Descriptor), { code: 'ERR_INVALID_DESCRIPTOR' });
  }
});
