import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostPlatform, parsePlatformString } from '../../../src/build/platform.js';
import { hostArchitecture } from '../../../src/build/steps.js';

test('parsePlatformString normalizes like containerd', () => {
  assert.deepEqual(parsePlatformString('linux/amd64'), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(parsePlatformString('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatformString('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(parsePlatformString('aarch64'), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(parsePlatformString('Linux/X86_64'), { os: 'linux', architecture: 'amd64' });
  assert.throws(() => parsePlatformString('linux//x'), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_PLATFORM');
});

test('hostPlatform is linux on this machine\'s architecture', () => {
  assert.equal(hostPlatform().os, 'linux');
  assert.equal(hostPlatform().architecture, hostArchitecture());
});
