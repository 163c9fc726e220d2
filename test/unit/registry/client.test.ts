import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { RegistryClient, nextLink, referrersTag } from '../../../src/registry/client.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { OCI, DOCKER } from '../../../src/image/media-types.js';
import type { Digest } from '../../../src/digest/digest.js';

async function setup(t: import('node:test').TestContext, options: ConstructorParameters<typeof RegistryClient>[0] = {}, registryOptions: Parameters<typeof TestRegistry.start>[0] = {}) {
  const registry = await TestRegistry.start(registryOptions);
  const client = new RegistryClient({ dockerConfig: false, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  return { registry, client, repo: { registry: registry.host, repository: 'team/app' } };
}

async function pushImage(client: RegistryClient, repo: { registry: string; repository: string }, tag = 'v1') {
  const layer = Buffer.from('layer-bytes '.repeat(1000));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layerDesc = { mediaType: OCI.layerGzip, digest: digestOf(layer), size: layer.byteLength };
  const configDesc = { mediaType: OCI.config, digest: digestOf(config), size: config.byteLength };
  await client.uploadBlob(repo, layer, layerDesc);
  await client.uploadBlob(repo, config, configDesc);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config: configDesc, layers: [layerDesc] }));
  const put = await client.putManifest(repo, tag, manifest, OCI.manifest);
  return { layer, config, layerDesc, configDesc, manifest, digest: put.digest };
}

test('manifest and blobs round-trip: PUT, GET by tag and digest, HEAD', async (t) => {
  const { client, repo } = await setup(t);
  const image = await pushImage(client, repo);
  assert.equal(image.digest, digestOf(image.manifest));
  const byTag = await client.getManifest(repo, 'v1');
  assert.deepEqual(byTag.bytes, image.manifest);
  assert.equal(byTag.descriptor.mediaType, OCI.manifest);
  const byDigest = await client.getManifest(repo, image.digest);
  assert.equal(byDigest.descriptor.digest, image.digest);
  const head = await client.headManifest(repo, 'v1');
  assert.deepEqual(head, { mediaType: OCI.manifest, digest: image.digest, size: image.manifest.byteLength });
  assert.equal(await client.headManifest(repo, 'nope'), undefined);
  assert.deepEqual(await client.headBlob(repo, image.layerDesc.digest), { digest: image.layerDesc.digest, size: image.layer.byteLength });
  const chunks: Buffer[] = [];
  for await (const c of client.openBlob(repo, image.layerDesc)) chunks.push(c as Buffer);
  assert.deepEqual(Buffer.concat(chunks), image.layer);
  assert.deepEqual(await client.getBlob(repo, image.configDesc), image.config);
});

test('a missing manifest is ERR_REGISTRY_NOT_FOUND with the spec code', async (t) => {
  const { client, repo } = await setup(t);
  await assert.rejects(client.getManifest(repo, 'missing'), (err: any) => {
    assert.equal(err.code, 'ERR_REGISTRY_NOT_FOUND');
    assert.equal(err.registryCode, 'MANIFEST_UNKNOWN');
    assert.equal(err.status, 404);
    return true;
  });
});

test('schema 1 manifests are refused with a clear message', async (t) => {
  const { client, registry, repo } = await setup(t);
  // The test registry refuses to store schema 1, so answer one through a fault-free raw server.
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    if (req.url === '/v2/') return void res.writeHead(200).end('{}');
    res.writeHead(200, { 'content-type': DOCKER.manifestV1Signed }).end(JSON.stringify({ schemaVersion: 1, name: 'x', fsLayers: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  void registry;
  const port = (server.address() as import('node:net').AddressInfo).port;
  await assert.rejects(client.getManifest({ registry: `127.0.0.1:${port}`, repository: repo.repository }, 'old'), (err: any) => {
    assert.equal(err.code, 'ERR_REGISTRY_UNSUPPORTED');
    assert.match(err.message, /schema 1/);
    return true;
  });
});

test('tags list and catalog follow Link pagination', async (t) => {
  const { client, repo } = await setup(t);
  for (const tag of ['a', 'b', 'c', 'd', 'e']) await pushImage(client, repo, tag);
  await pushImage(client, { ...repo, repository: 'other' }, 'x');
  assert.deepEqual(await client.listTags(repo, { pageSize: 2 }), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(await client.catalog(repo.registry, { pageSize: 1 }), ['other', 'team/app']);
});

test('nextLink reads rel="next"', () => {
  assert.equal(nextLink('</v2/x/tags/list?n=2&last=b>; rel="next"'), '/v2/x/tags/list?n=2&last=b');
  assert.equal(nextLink('</a>; rel="prev", </b>; rel="next"'), '/b');
  assert.equal(nextLink(undefined), undefined);
});

test('chunked upload respects the max chunk size and OCI-Chunk-Min-Length', async (t) => {
  const { client, registry, repo } = await setup(t, {}, { chunkMinLength: 1000 });
  const data = Buffer.alloc(10_500, 7);
  const desc = { digest: digestOf(data), size: data.byteLength };
  const result = await client.uploadBlob(repo, (offset) => Readable.from([data.subarray(offset)]), desc, { maxChunkSize: 4000, chunkSize: 500 });
  assert.equal(result.how, 'uploaded');
  const patches = registry.requests.filter((r) => r.method === 'PATCH');
  // chunkSize 500 is raised to the registry's minimum 1000... and capped at 4000: 1000-byte chunks.
  assert.equal(patches.length, 11);
  assert.deepEqual(await client.getBlob(repo, desc), data);
});

test('a registry that caps request size (413) gets the blob in chunks', async (t) => {
  const { client, registry, repo } = await setup(t, {}, { maxRequestBody: 4 * 1024 * 1024 });
  const data = Buffer.alloc(9 * 1024 * 1024, 3);
  const desc = { digest: digestOf(data), size: data.byteLength };
  const result = await client.uploadBlob(repo, data, desc);
  assert.equal(result.how, 'uploaded');
  assert.ok(registry.requests.some((r) => r.status === 413));
  assert.ok(registry.requests.filter((r) => r.method === 'PATCH' && r.status === 202).length >= 3);
  assert.deepEqual(await client.getBlob(repo, desc), data);
});

test('existing blobs are skipped after a HEAD; mounts from another repository', async (t) => {
  const { client, registry, repo } = await setup(t);
  const image = await pushImage(client, repo);
  registry.reset();
  const again = await client.uploadBlob(repo, image.layer, image.layerDesc);
  assert.equal(again.how, 'exists');
  assert.deepEqual(registry.requests.map((r) => r.method), ['HEAD']);
  const mounted = await client.uploadBlob({ ...repo, repository: 'copy' }, image.layer, image.layerDesc, { mountFrom: repo.repository });
  assert.equal(mounted.how, 'mounted');
});

test('a refused mount (202) falls back to uploading into the opened session', async (t) => {
  const { client, repo } = await setup(t, {}, { mount: false });
  const image = await pushImage(client, repo);
  const result = await client.uploadBlob({ ...repo, repository: 'copy' }, image.layer, image.layerDesc, { mountFrom: repo.repository });
  assert.equal(result.how, 'uploaded');
  assert.deepEqual(await client.getBlob({ ...repo, repository: 'copy' }, image.layerDesc), image.layer);
});

test('single POST upload', async (t) => {
  const { client, registry, repo } = await setup(t);
  const data = Buffer.from('single post');
  const desc = { digest: digestOf(data), size: data.byteLength };
  assert.equal((await client.uploadBlob(repo, data, desc, { mode: 'single-post' })).how, 'uploaded');
  assert.equal(registry.requests.filter((r) => r.method === 'POST').length, 1);
  assert.equal(registry.requests.filter((r) => r.method === 'PUT').length, 0);
});

test('referrers API, OCI-Subject, and the tag-schema fallback', async (t) => {
  for (const referrersApi of [true, false]) {
    const { client, registry, repo } = await setup(t, {}, { referrersApi });
    const image = await pushImage(client, repo);
    const empty = Buffer.from('{}');
    const emptyDesc = { mediaType: OCI.empty, digest: digestOf(empty), size: 2 };
    await client.uploadBlob(repo, empty, emptyDesc);
    const sig = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: OCI.manifest, artifactType: 'application/vnd.example.sig',
      config: emptyDesc, layers: [emptyDesc], subject: { mediaType: OCI.manifest, digest: image.digest, size: image.manifest.byteLength },
    }));
    const put = await client.putManifest(repo, digestOf(sig), sig, OCI.manifest);
    assert.equal(put.subject, image.digest);
    const found = await client.referrers(repo, image.digest);
    assert.equal(found.length, 1, `referrersApi=${referrersApi}`);
    assert.equal(found[0]!.digest, digestOf(sig));
    assert.equal(found[0]!.artifactType, 'application/vnd.example.sig');
    assert.deepEqual(await client.referrers(repo, image.digest, { artifactType: 'other/type' }), []);
    assert.equal(registry.tagDigest(repo.repository, referrersTag(image.digest)) !== undefined, !referrersApi);
  }
});

test('delete manifest and blob', async (t) => {
  const { client, repo } = await setup(t);
  const image = await pushImage(client, repo);
  await client.deleteManifest(repo, image.digest);
  assert.equal(await client.headManifest(repo, 'v1'), undefined);
  await client.deleteBlob(repo, image.layerDesc.digest);
  assert.equal(await client.headBlob(repo, image.layerDesc.digest), undefined);
});

test('referrersTag is the tag schema', () => {
  const d = digestOf('x') as Digest;
  assert.equal(referrersTag(d), d.replace(':', '-'));
});

test('error messages write a digest reference with @ and a tag with :', async (t) => {
  const { client, registry, repo } = await setup(t);
  const digest = digestOf('no such manifest');
  registry.inject({ match: { method: 'HEAD', path: '/manifests/' }, action: { type: 'status', status: 403 }, times: 2 });
  await assert.rejects(client.headManifest(repo, digest), (err: Error) => {
    assert.match(err.message, new RegExp(`^HEAD manifest ${registry.host}/team/app@${digest} `));
    return true;
  });
  await assert.rejects(client.headManifest(repo, 'v1'), (err: Error) => {
    assert.match(err.message, new RegExp(`^HEAD manifest ${registry.host}/team/app:v1 `));
    return true;
  });
  registry.inject({ match: { method: 'DELETE' }, action: { type: 'status', status: 403 } });
  await assert.rejects(client.deleteManifest(repo, digest), (err: Error) => {
    assert.match(err.message, new RegExp(`^DELETE manifest ${registry.host}/team/app@${digest} `));
    return true;
  });
});
