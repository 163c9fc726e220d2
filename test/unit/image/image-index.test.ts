import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIndex, parseIndex, validateIndex } from '../../../src/image/image-index.js';
import { canonicalJson } from '../../../src/image/json.js';
import { DOCKER, OCI } from '../../../src/image/media-types.js';
import { D1, json, layer, ociIndexJson } from './fixtures.js';

test('parseIndex accepts OCI indexes and Docker manifest lists', () => {
  const oci = ociIndexJson({ annotations: { a: 'b' } });
  assert.deepEqual(parseIndex(json(oci)), oci);
  const list = ociIndexJson({ mediaType: DOCKER.manifestList });
  assert.deepEqual(parseIndex(JSON.stringify(list)), list);
  const { mediaType: _m, ...bare } = ociIndexJson({ manifests: [] });
  assert.deepEqual(parseIndex(json(bare)), bare);
});

test('invalid indexes name the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /invalid image index: must be an object, got null/],
    [ociIndexJson({ schemaVersion: '2' }), /schemaVersion must be 2/],
    [ociIndexJson({ mediaType: OCI.manifest }), /this is a manifest, not an index/],
    [{ schemaVersion: 2, config: {}, layers: [] }, /this is a manifest, not an index/],
    [ociIndexJson({ manifests: undefined }), /manifests is missing/],
    [ociIndexJson({ manifests: [{ mediaType: OCI.manifest, digest: D1, size: 3, platform: { architecture: 'amd64' } }] }), /manifests\[0\].platform.os must be a non-empty string/],
    [ociIndexJson({ manifests: [{ mediaType: OCI.manifest, digest: D1 }] }), /manifests\[0\].size/],
    [ociIndexJson({ annotations: [] }), /annotations must be an object/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseIndex(json(value)), { code: 'ERR_INVALID_MANIFEST', message }, JSON.stringify(value));
  }
  assert.throws(() => validateIndex({ schemaVersion: 1 }), { code: 'ERR_UNSUPPORTED_MANIFEST' });
  assert.throws(() => validateIndex(ociIndexJson({ mediaType: 'application/x-other+json' })), { code: 'ERR_UNSUPPORTED_MANIFEST' });
});

test('createIndex builds OCI indexes and Docker manifest lists', () => {
  const entry = { ...layer('m', OCI.manifest), platform: { os: 'linux', architecture: 'amd64' } };
  const index = createIndex({ manifests: [entry], artifactType: 'application/x-a+json', annotations: { a: 'b' } });
  assert.deepEqual(Object.keys(index), ['schemaVersion', 'mediaType', 'artifactType', 'manifests', 'annotations']);
  assert.deepEqual(parseIndex(canonicalJson(index)), index);
  const list = createIndex({ family: 'docker', manifests: [{ ...entry, mediaType: DOCKER.manifest }] });
  assert.equal(list.mediaType, DOCKER.manifestList);
  assert.throws(() => createIndex({ family: 'docker', manifests: [], subject: entry }), { message: /cannot carry subject/ });
});
