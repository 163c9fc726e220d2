import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_DESCRIPTOR, EMPTY_JSON, descriptorFor, parseDescriptor, validateDescriptor } from '../../../src/image/descriptor.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { D1, json } from './fixtures.js';

const base = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: D1, size: 3 };

test('the empty descriptor describes the two bytes {}', () => {
  assert.equal(EMPTY_JSON.toString(), '{}');
  assert.equal(EMPTY_DESCRIPTOR.digest, digestOf(EMPTY_JSON));
  assert.equal(EMPTY_DESCRIPTOR.size, 2);
  assert.equal(EMPTY_DESCRIPTOR.mediaType, 'application/vnd.oci.empty.v1+json');
  assert.ok(Object.isFrozen(EMPTY_DESCRIPTOR));
});

test('descriptorFor hashes content and adds extra fields', () => {
  assert.deepEqual(descriptorFor('text/plain', 'one', { annotations: { a: 'b' } }), {
    mediaType: 'text/plain',
    digest: D1,
    size: 3,
    annotations: { a: 'b' },
  });
});

test('parseDescriptor accepts a full descriptor and keeps its fields', () => {
  const full = {
    ...base,
    urls: ['https://example.com/blob'],
    annotations: { 'org.opencontainers.image.title': 'x' },
    artifactType: 'application/vnd.example+json',
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8', 'os.features': ['a'], features: [] },
    data: Buffer.from('one').toString('base64'),
  };
  assert.deepEqual(parseDescriptor(json(full)), full);
  assert.deepEqual(parseDescriptor(JSON.stringify(base)), base);
});

test('invalid descriptors name the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [[], /invalid image descriptor: must be an object, got an array/],
    [{ ...base, mediaType: 'nope' }, /mediaType is not a media type/],
    [{ ...base, mediaType: 5 }, /mediaType must be a string, got the number 5/],
    [{ ...base, digest: 'sha256:abc' }, /digest invalid digest "sha256:abc"/],
    [{ ...base, digest: undefined }, /digest must be a string/],
    [{ ...base, size: -1 }, /size must be a non-negative integer/],
    [{ ...base, size: 1.5 }, /size must be a non-negative integer/],
    [{ ...base, size: '3' }, /size must be a non-negative integer/],
    [{ ...base, urls: ['not a url'] }, /urls\[0\] is not a URL/],
    [{ ...base, urls: 'x' }, /urls must be an array/],
    [{ ...base, annotations: { a: 1 } }, /annotations.a must be a string/],
    [{ ...base, annotations: { 'a.b': null } }, /annotations\["a.b"\] must be a string/],
    [{ ...base, platform: { os: 'linux' } }, /platform.architecture must be a non-empty string/],
    [{ ...base, platform: { os: 'linux', architecture: 'amd64', 'os.features': [1] } }, /platform\["os.features"\]\[0\] must be a string/],
    [{ ...base, data: '!!' }, /data must be a base64 string/],
    [{ ...base, data: Buffer.from('four').toString('base64') }, /data holds 4 bytes but size says 3/],
    [{ ...base, data: Buffer.from('two').toString('base64') }, /data hashes to sha256:/],
    [{ ...base, artifactType: 'x' }, /artifactType is not a media type/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseDescriptor(json(value)), { code: 'ERR_INVALID_MANIFEST', message }, JSON.stringify(value));
  }
});

test('validateDescriptor uses the given path', () => {
  assert.throws(() => validateDescriptor({ ...base, size: -2 }, 'target'), { message: /target.size must be/ });
  assert.throws(() => parseDescriptor('{'), { code: 'ERR_INVALID_MANIFEST', message: /is not valid JSON/ });
});
