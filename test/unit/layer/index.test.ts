import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as layer from '../../../src/layer/index.js';

test('the public layer API keeps the names other modules code against', () => {
  for (const name of ['createLayer', 'extractLayers', 'applyLayer', 'snapshotTree', 'diffTree', 'createDiffLayer', 'diffTars', 'flattenLayers', 'exportFilesystem', 'snapshot', 'diffSnapshot', 'readTar', 'writeTar', 'decompressStream']) {
    assert.equal(typeof (layer as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(layer.snapshot, layer.snapshotTree);
  assert.equal(layer.diffSnapshot, layer.createDiffLayer);
  assert.equal(layer.OPAQUE_MARKER, '.wh..wh..opq');
});
