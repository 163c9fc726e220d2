import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidConfigError,
  InvalidManifestError,
  PlatformNotFoundError,
  UnsupportedManifestError,
} from '../../../src/image/errors.js';
import { InvalidInputError, NotFoundError } from '../../../src/errors.js';

test('document errors carry code, document kind and field', () => {
  const m = new InvalidManifestError('index', 'manifests[0].digest', 'is wrong');
  assert.ok(m instanceof InvalidInputError);
  assert.equal(m.code, 'ERR_INVALID_MANIFEST');
  assert.equal(m.message, 'invalid image index: manifests[0].digest is wrong');
  assert.equal(m.document, 'index');
  assert.equal(m.field, 'manifests[0].digest');
  const c = new InvalidConfigError('$', 'must be an object');
  assert.equal(c.code, 'ERR_INVALID_CONFIG');
  assert.equal(c.message, 'invalid image config: must be an object');
});

test('UnsupportedManifestError and PlatformNotFoundError', () => {
  const u = new UnsupportedManifestError('schema 1', 'x/y', 'convert it');
  assert.equal(u.code, 'ERR_UNSUPPORTED_MANIFEST');
  assert.equal(u.mediaType, 'x/y');
  assert.equal(u.hint, 'convert it');
  const p = new PlatformNotFoundError('linux/s390x', ['linux/amd64', 'linux/arm64/v8'], 'ubuntu:latest');
  assert.ok(p instanceof NotFoundError);
  assert.equal(p.code, 'ERR_PLATFORM_NOT_FOUND');
  assert.equal(p.message, 'no manifest for platform linux/s390x in ubuntu:latest (available: linux/amd64, linux/arm64/v8)');
  assert.match(p.hint ?? '', /--platform linux\/amd64/);
  assert.match(new PlatformNotFoundError('linux/amd64', []).message, /it lists no platforms/);
});
