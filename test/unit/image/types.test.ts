import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATIONS } from '../../../src/image/types.js';

test('well-known annotation keys use the image-spec namespace (annotations.md), except containerd\'s', () => {
  for (const [name, key] of Object.entries(ANNOTATIONS)) {
    if (name === 'containerdImageName') assert.equal(key, 'io.containerd.image.name');
    else assert.match(key, /^org\.opencontainers\.image\.[a-z.]+$/, name);
  }
  assert.equal(ANNOTATIONS.refName, 'org.opencontainers.image.ref.name');
});
