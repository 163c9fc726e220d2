import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DOCKER,
  OCI,
  isConfigMediaType,
  isIndexMediaType,
  isLayerMediaType,
  isManifestMediaType,
  layerCompression,
  layerMediaType,
} from '../../../src/image/media-types.js';

test('kind predicates', () => {
  assert.equal(isManifestMediaType(OCI.manifest), true);
  assert.equal(isManifestMediaType(DOCKER.manifest), true);
  assert.equal(isManifestMediaType(OCI.index), false);
  assert.equal(isIndexMediaType(DOCKER.manifestList), true);
  assert.equal(isIndexMediaType(undefined), false);
  assert.equal(isConfigMediaType(DOCKER.config), true);
  assert.equal(isConfigMediaType(OCI.empty), false);
  for (const type of [OCI.layer, OCI.layerGzip, OCI.layerZstd, DOCKER.layerGzip, DOCKER.layer, DOCKER.foreignLayerGzip, OCI.layerNondistributableZstd]) {
    assert.equal(isLayerMediaType(type), true, type);
  }
  assert.equal(isLayerMediaType(OCI.config), false);
});

test('layer compression and media type for each family', () => {
  assert.equal(layerCompression(DOCKER.layerGzip), 'gzip');
  assert.equal(layerCompression(OCI.layerZstd), 'zstd');
  assert.equal(layerCompression(OCI.layer), 'none');
  assert.equal(layerMediaType('gzip'), OCI.layerGzip);
  assert.equal(layerMediaType('none', 'docker'), DOCKER.layer);
  assert.equal(layerMediaType('zstd', 'docker'), OCI.layerZstd);
});
