import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  familyOf,
  isDocumentMediaType,
  toDockerIndex,
  toDockerManifest,
  toDockerMediaType,
  toOciIndex,
  toOciManifest,
  toOciMediaType,
} from '../../../src/image/convert.js';
import { createManifest } from '../../../src/image/manifest.js';
import { createIndex } from '../../../src/image/image-index.js';
import { parseManifest } from '../../../src/image/manifest.js';
import { parseIndex } from '../../../src/image/image-index.js';
import { canonicalJson } from '../../../src/image/json.js';
import { EMPTY_DESCRIPTOR } from '../../../src/image/descriptor.js';
import { DOCKER, OCI } from '../../../src/image/media-types.js';
import { layer } from './fixtures.js';

const ociImage = createManifest({
  config: layer('config', OCI.config),
  layers: [layer('a', OCI.layerGzip), layer('b', OCI.layer), layer('c', OCI.layerZstd), layer('d', OCI.layerNondistributableGzip)],
  annotations: { a: 'b' },
});

test('media types map to their twins; types without one stay', () => {
  assert.equal(toDockerMediaType(OCI.layerGzip), DOCKER.layerGzip);
  assert.equal(toDockerMediaType(OCI.config), DOCKER.config);
  assert.equal(toDockerMediaType(OCI.layerZstd), OCI.layerZstd);
  assert.equal(toOciMediaType(DOCKER.foreignLayerGzip), OCI.layerNondistributableGzip);
  assert.equal(toOciMediaType(DOCKER.manifestList), OCI.index);
  assert.equal(toOciMediaType('text/plain'), 'text/plain');
});

test('toDockerManifest maps media types and drops what Docker cannot carry', () => {
  const docker = toDockerManifest({ ...ociImage, subject: layer('s', OCI.manifest), config: { ...ociImage.config, artifactType: 'x/y', data: 'e30=' } });
  assert.equal(docker.mediaType, DOCKER.manifest);
  assert.deepEqual(docker.config, { ...layer('config', DOCKER.config) });
  assert.deepEqual(docker.layers.map((l) => l.mediaType), [DOCKER.layerGzip, DOCKER.layer, OCI.layerZstd, DOCKER.foreignLayerGzip]);
  assert.equal('annotations' in docker, false);
  assert.equal('subject' in docker, false);
  // The result is a valid Docker schema 2 manifest.
  assert.deepEqual(parseManifest(canonicalJson(docker)), docker);
});

test('toOciManifest reverses toDockerManifest (without the dropped fields)', () => {
  const back = toOciManifest(toDockerManifest(ociImage));
  const { annotations: _a, ...withoutAnnotations } = ociImage;
  assert.deepEqual(back, withoutAnnotations);
  const kept = toOciManifest({ ...ociImage, subject: layer('s', OCI.manifest) });
  assert.deepEqual(kept.annotations, { a: 'b' });
  assert.deepEqual(kept.subject, layer('s', OCI.manifest));
});

test('artifacts cannot become Docker manifests', () => {
  const artifact = createManifest({ config: EMPTY_DESCRIPTOR, layers: [], artifactType: 'application/vnd.example+json' });
  assert.throws(() => toDockerManifest(artifact), { code: 'ERR_INVALID_INPUT', message: /not an image config/ });
});

test('indexes convert to manifest lists and back', () => {
  const index = createIndex({
    manifests: [
      { ...layer('m1', OCI.manifest), platform: { os: 'linux', architecture: 'amd64' } },
      { ...layer('m2', OCI.index) },
    ],
    annotations: { x: 'y' },
  });
  const list = toDockerIndex(index);
  assert.equal(list.mediaType, DOCKER.manifestList);
  assert.deepEqual(list.manifests.map((m) => m.mediaType), [DOCKER.manifest, DOCKER.manifestList]);
  assert.deepEqual(list.manifests[0]?.platform, { os: 'linux', architecture: 'amd64' });
  assert.equal('annotations' in list, false);
  assert.deepEqual(parseIndex(canonicalJson(list)), list);
  const back = toOciIndex(list);
  assert.equal(back.mediaType, OCI.index);
  assert.deepEqual(back.manifests, index.manifests);
});

test('familyOf and isDocumentMediaType', () => {
  assert.equal(familyOf(OCI.manifest), 'oci');
  assert.equal(familyOf(DOCKER.layerGzip), 'docker');
  assert.equal(familyOf('text/plain'), undefined);
  assert.equal(familyOf(undefined), undefined);
  assert.equal(isDocumentMediaType(DOCKER.manifestList), true);
  assert.equal(isDocumentMediaType(OCI.config), false);
});
