import { test } from 'node:test';
import assert from 'node:assert/strict';
import { documentKind, readDockerManifestJson, readIndex, readManifest } from '../../../src/archive/documents.js';
import { OCI } from '../../../src/image/media-types.js';

const digest = `sha256:${'cd'.repeat(32)}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

test('readDockerManifestJson checks each entry and names the broken one', () => {
  assert.deepEqual(readDockerManifestJson(json([{ Config: 'c.json', RepoTags: null, Layers: ['a/layer.tar'] }]))[0]!.Layers, ['a/layer.tar']);
  assert.throws(() => readDockerManifestJson(json({})), /not a JSON array/);
  assert.throws(() => readDockerManifestJson(json([{ Config: 'c', Layers: [1] }])), /entry 0 needs a Config path and a Layers array/);
  assert.throws(() => readDockerManifestJson(json([{ Config: 'c', Layers: [], RepoTags: 'x' }])), /RepoTags/);
  assert.throws(() => readDockerManifestJson(Buffer.from('{oops')), (err: Error & { code?: string }) => err.code === 'ERR_ARCHIVE_INVALID');
});

test('readIndex and readManifest validate descriptors', () => {
  assert.equal(readIndex(json({ schemaVersion: 2, manifests: [{ mediaType: OCI.manifest, digest, size: 1 }] }), 'index.json').manifests.length, 1);
  assert.throws(() => readIndex(json({ schemaVersion: 2, manifests: [{ mediaType: OCI.manifest, digest: 'sha256:x', size: 1 }] }), 'index.json'), /index.json manifests\[0\] has an invalid digest/);
  assert.throws(() => readManifest(json({ schemaVersion: 2, config: { mediaType: OCI.config, digest, size: -1 }, layers: [] }), 'm'), /m config has an invalid size/);
});

test('documentKind goes by media type, else by shape', () => {
  assert.equal(documentKind(OCI.index, Buffer.alloc(0)), 'index');
  assert.equal(documentKind(OCI.layer, Buffer.alloc(0)), 'other');
  assert.equal(documentKind(undefined, json({ manifests: [] })), 'index');
  assert.equal(documentKind(undefined, json({ config: {}, layers: [] })), 'manifest');
  assert.equal(documentKind(undefined, Buffer.from('not json')), 'other');
});
