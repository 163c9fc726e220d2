import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManifest, parseManifest, validateManifest } from '../../../src/image/manifest.js';
import { canonicalJson } from '../../../src/image/json.js';
import { EMPTY_DESCRIPTOR } from '../../../src/image/descriptor.js';
import { DOCKER, OCI } from '../../../src/image/media-types.js';
import { D1, D2, json, layer, ociManifestJson } from './fixtures.js';

test('parseManifest accepts OCI and Docker schema 2 manifests', () => {
  const oci = ociManifestJson({ annotations: { a: 'b' }, subject: { mediaType: OCI.manifest, digest: D1, size: 3 } });
  assert.deepEqual(parseManifest(json(oci)), oci);
  const docker = ociManifestJson({
    mediaType: DOCKER.manifest,
    config: { mediaType: DOCKER.config, digest: D1, size: 3 },
    layers: [{ mediaType: DOCKER.layerGzip, digest: D2, size: 3 }],
  });
  assert.deepEqual(parseManifest(JSON.stringify(docker)), docker);
  // mediaType is optional in OCI manifests; an artifact may have no layers.
  const { mediaType: _m, ...bare } = ociManifestJson({ layers: [] });
  assert.deepEqual(parseManifest(json(bare)), bare);
});

test('invalid manifests name the field', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['x', /invalid image manifest: must be an object/],
    [ociManifestJson({ schemaVersion: 3 }), /schemaVersion must be 2, got 3/],
    [ociManifestJson({ schemaVersion: undefined }), /schemaVersion must be 2, got nothing/],
    [ociManifestJson({ mediaType: OCI.index }), /mediaType is application\/vnd.oci.image.index.v1\+json: this is an index, not a manifest/],
    [{ schemaVersion: 2, manifests: [] }, /this is an index, not a manifest/],
    [ociManifestJson({ config: undefined }), /config is missing/],
    [ociManifestJson({ config: { mediaType: OCI.config, digest: D1 } }), /config.size must be a non-negative integer/],
    [ociManifestJson({ layers: undefined }), /layers is missing/],
    [ociManifestJson({ layers: {} }), /layers must be an array/],
    [ociManifestJson({ layers: [layer('a'), { ...layer('b'), digest: 'sha256:00' }] }), /layers\[1\].digest invalid digest/],
    [ociManifestJson({ annotations: { a: 1 } }), /annotations.a must be a string/],
    [ociManifestJson({ subject: 'x' }), /subject must be an object/],
    [ociManifestJson({ artifactType: '' }), /artifactType is not a media type/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseManifest(json(value)), { code: 'ERR_INVALID_MANIFEST', message }, JSON.stringify(value));
  }
});

test('Docker schema 1 and unknown media types are refused as unsupported', () => {
  assert.throws(() => parseManifest(json({ schemaVersion: 1, name: 'x', fsLayers: [] })), {
    code: 'ERR_UNSUPPORTED_MANIFEST',
    message: /schema 1 is not supported/,
  });
  assert.throws(() => validateManifest({ schemaVersion: 2, mediaType: DOCKER.manifestV1Signed }), { code: 'ERR_UNSUPPORTED_MANIFEST' });
  assert.throws(() => parseManifest(json(ociManifestJson({ mediaType: 'application/vnd.example.thing+json' }))), {
    code: 'ERR_UNSUPPORTED_MANIFEST',
    message: /unsupported manifest media type application\/vnd.example.thing\+json/,
  });
});

test('parseManifest refuses oversized and non-UTF-8 input', () => {
  assert.throws(() => parseManifest(Buffer.alloc(4 * 1024 * 1024 + 1, 0x20)), { code: 'ERR_INVALID_MANIFEST', message: /more than the 4194304 bytes/ });
  assert.throws(() => parseManifest(Buffer.from([0x7b, 0xff, 0x7d])), { code: 'ERR_INVALID_MANIFEST', message: /not valid UTF-8/ });
});

test('createManifest writes fields in the spec order and round-trips through the parser', () => {
  const manifest = createManifest({
    config: EMPTY_DESCRIPTOR,
    layers: [layer('a')],
    annotations: { z: '1', a: '2' },
    subject: layer('s', OCI.manifest),
    artifactType: 'application/vnd.example+json',
  });
  assert.deepEqual(Object.keys(manifest), ['schemaVersion', 'mediaType', 'artifactType', 'config', 'layers', 'subject', 'annotations']);
  assert.deepEqual(parseManifest(canonicalJson(manifest)), manifest);
  assert.deepEqual(Object.keys(createManifest({ config: EMPTY_DESCRIPTOR, layers: [], annotations: {} })), ['schemaVersion', 'mediaType', 'config', 'layers']);
});

test('createManifest in the Docker family refuses OCI-only fields', () => {
  const docker = createManifest({ family: 'docker', config: { ...EMPTY_DESCRIPTOR, mediaType: DOCKER.config }, layers: [] });
  assert.equal(docker.mediaType, DOCKER.manifest);
  assert.throws(() => createManifest({ family: 'docker', config: EMPTY_DESCRIPTOR, layers: [], annotations: { a: 'b' } }), {
    code: 'ERR_INVALID_INPUT',
    message: /cannot carry annotations/,
  });
});
