import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  availablePlatforms,
  formatPlatform,
  hostPlatform,
  nestedIndexes,
  normalizePlatform,
  parsePlatform,
  platformCompatible,
  platformMatches,
  selectManifest,
} from '../../../src/image/platform.js';
import { createIndex } from '../../../src/image/image-index.js';
import { OCI } from '../../../src/image/media-types.js';
import type { Platform } from '../../../src/image/types.js';
import { layer } from './fixtures.js';

test('parsePlatform reads os/arch[/variant] and normalizes', () => {
  assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/amd64/v1'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/amd64/v3'), { os: 'linux', architecture: 'amd64', variant: 'v3' });
  assert.deepEqual(parsePlatform('Linux/x86_64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatform('linux/aarch64'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux/arm/6'), { os: 'linux', architecture: 'arm', variant: 'v6' });
  assert.deepEqual(parsePlatform('linux/armhf'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatform('linux/armel'), { os: 'linux', architecture: 'arm', variant: 'v6' });
  assert.deepEqual(parsePlatform('linux/i386'), { os: 'linux', architecture: '386' });
  assert.deepEqual(parsePlatform('s390x'), { os: 'linux', architecture: 's390x' });
  assert.deepEqual(parsePlatform('windows'), { os: 'windows', architecture: hostPlatform().architecture, ...(hostPlatform().variant ? { variant: hostPlatform().variant } : {}) });
  assert.deepEqual(parsePlatform('windows(10.0.17763)/amd64'), { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763' });
});

test('parsePlatform rejects malformed text with ERR_INVALID_PLATFORM', () => {
  for (const bad of ['', 'linux/', '/amd64', 'linux//v8', 'a/b/c/d', 'linux/am d64', 'linux/arm64/v8!']) {
    assert.throws(() => parsePlatform(bad), { code: 'ERR_INVALID_PLATFORM' }, bad);
  }
});

test('formatPlatform and normalizePlatform', () => {
  assert.equal(formatPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), 'linux/arm64/v8');
  assert.equal(formatPlatform({ os: 'linux', architecture: 'amd64' }), 'linux/amd64');
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: '8' }), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'riscv64' }), { os: 'linux', architecture: 'riscv64' });
});

test('platformMatches applies default variants', () => {
  const cases: Array<[string | Platform, Platform, boolean]> = [
    ['linux/arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, true],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64' }, true],
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }, true],
    ['linux/amd64', { os: 'linux', architecture: 'amd64', variant: 'v1' }, true],
    ['linux/amd64', { os: 'linux', architecture: 'amd64', variant: 'v2' }, false],
    ['linux/amd64', { os: 'linux', architecture: 'arm64' }, false],
    ['linux/amd64', { os: 'windows', architecture: 'amd64' }, false],
    ['linux/arm', { os: 'linux', architecture: 'arm', variant: 'v7' }, true],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v6' }, false],
    [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.1' }, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.2' }, false],
    [{ os: 'windows', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64', 'os.version': '10.0.2' }, true],
  ];
  for (const [want, have, expected] of cases) {
    assert.equal(platformMatches(want, have), expected, `${JSON.stringify(want)} vs ${JSON.stringify(have)}`);
  }
});

test('platformCompatible also accepts older variants of the same architecture', () => {
  assert.equal(platformCompatible('linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v6' }), true);
  assert.equal(platformCompatible('linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v7' }), false);
  assert.equal(platformCompatible('linux/amd64/v3', { os: 'linux', architecture: 'amd64' }), true);
  assert.equal(platformCompatible('linux/amd64', { os: 'linux', architecture: 'amd64', variant: 'v2' }), false);
  assert.equal(platformCompatible('linux/arm64', { os: 'linux', architecture: 'arm', variant: 'v7' }), false);
});

test('hostPlatform maps process.arch to image architecture names', () => {
  const host = hostPlatform();
  assert.equal(host.os, process.platform === 'win32' ? 'windows' : 'linux');
  const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  if (expected[process.arch]) assert.equal(host.architecture, expected[process.arch]);
  assert.equal(platformMatches(host, host), true);
});

const entry = (name: string, platform?: Platform, mediaType: string = OCI.manifest) => ({
  ...layer(name, mediaType),
  ...(platform === undefined ? {} : { platform }),
});

test('selectManifest picks an exact match, then the newest compatible variant', () => {
  const index = createIndex({
    manifests: [
      entry('attestation', { os: 'unknown', architecture: 'unknown' }),
      entry('amd64', { os: 'linux', architecture: 'amd64' }),
      entry('arm5', { os: 'linux', architecture: 'arm', variant: 'v5' }),
      entry('arm6', { os: 'linux', architecture: 'arm', variant: 'v6' }),
      entry('arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
      entry('nested', undefined, OCI.index),
    ],
  });
  assert.equal(selectManifest(index, 'linux/amd64')?.digest, layer('amd64').digest);
  assert.equal(selectManifest(index, { os: 'linux', architecture: 'arm64' })?.digest, layer('arm64').digest);
  assert.equal(selectManifest(index, 'linux/arm/v7')?.digest, layer('arm6').digest);
  assert.equal(selectManifest(index, 'linux/arm/v5')?.digest, layer('arm5').digest);
  assert.equal(selectManifest(index, 'linux/s390x'), undefined);
  assert.equal(selectManifest(index, 'unknown/unknown'), undefined);
  assert.deepEqual(availablePlatforms(index), ['linux/amd64', 'linux/arm/v5', 'linux/arm/v6', 'linux/arm64/v8']);
  assert.deepEqual(nestedIndexes(index).map((d) => d.digest), [layer('nested').digest]);
});
