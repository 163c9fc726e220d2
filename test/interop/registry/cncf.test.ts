// oci-kit's registry client against the real CNCF registry (Debian docker-registry), checked with skopeo:
// anonymous, htpasswd Basic auth, and token auth with a JWT-issuing realm served by the test.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { copy, pull, push } from '../../../src/registry/copy.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { OciLayout } from '../../../src/store/layout.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { OCI } from '../../../src/image/media-types.js';
import { startCncfRegistry, type RegistryAuthConfig, type RunningRegistry } from './cncf-registry.js';
import { makeFixtureImage } from './image-fixture.js';
import { makeSigningCertificate, startTokenService } from './token-service.js';

const registryBin = requireTool('docker-registry', 'docker-registry');
const skopeo = requireTool('skopeo', 'skopeo');
const execFileAsync = promisify(execFile);

async function start(t: TestContext, auth?: RegistryAuthConfig): Promise<RunningRegistry> {
  const registry = await startCncfRegistry(registryBin, auth);
  t.after(() => registry.stop());
  return registry;
}

// Asynchronous on purpose: the token service of the token test runs in this process.
async function skopeoRun(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(skopeo, ['--insecure-policy', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

function client(t: TestContext, credentials?: Record<string, { username: string; password: string }>): RegistryClient {
  const c = new RegistryClient({ dockerConfig: false, retry: { baseDelayMs: 10, maxDelayMs: 100 }, ...(credentials ? { credentials } : {}) });
  t.after(() => c.close());
  return c;
}

test('anonymous: push with oci-kit, read back with skopeo inspect and copy --preserve-digests', async (t) => {
  const registry = await start(t);
  const ref = `${registry.host}/team/app:1`;
  const image = await makeFixtureImage(ref);
  const c = client(t);
  const pushed = await push(image.store, ref, undefined, { client: c });
  assert.equal(pushed.descriptor.digest, image.root.digest);
  const raw = await skopeoRun(['inspect', '--tls-verify=false', '--raw', `docker://${ref}`]);
  assert.equal(digestOf(raw), image.root.digest);
  const inspected = JSON.parse(await skopeoRun(['--override-arch', 'arm64', 'inspect', '--tls-verify=false', `docker://${ref}`])) as { Digest: string; Architecture: string };
  // skopeo reports the digest the tag names (the index) and the config of the chosen platform.
  assert.equal(inspected.Digest, image.root.digest);
  assert.equal(inspected.Architecture, 'arm64');
  const dir = join(await tempDir(t), 'layout');
  await skopeoRun(['copy', '--all', '--preserve-digests', '--src-tls-verify=false', `docker://${ref}`, `oci:${dir}:latest`]);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  assert.equal(index.manifests[0]!.digest, image.root.digest);
  // Re-push: everything is there, so only the root manifest is checked and the tag written.
  const again = await push(image.store, ref, undefined, { client: c });
  assert.deepEqual([again.blobs, again.upToDate], [{ copied: 0, skipped: 5, mounted: 0 }, true]);
});

test('anonymous: push with skopeo, pull with oci-kit; digests identical', async (t) => {
  const registry = await start(t);
  const image = await makeFixtureImage('fixture');
  const dir = join(await tempDir(t), 'layout');
  const layout = await OciLayout.open(dir, { create: true });
  await copy({ type: 'store', store: image.store, name: 'fixture' }, { type: 'store', store: layout, name: 'latest' });
  const ref = `${registry.host}/skopeo/app:2`;
  await skopeoRun(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${dir}:latest`, `docker://${ref}`]);
  const c = client(t);
  const store = new MemoryStore();
  const all = await pull(ref, store, { client: c, platform: 'all' });
  assert.equal(all.descriptor.digest, image.root.digest);
  for await (const digest of image.store.list()) assert.ok(await store.has(digest), `missing ${digest}`);
  const one = await pull(ref, new MemoryStore(), { client: c, platform: 'linux/arm64' });
  assert.equal(one.descriptor.digest, image.platforms[1]!.digest);
});

test('anonymous: tags, catalog, chunked upload, mount, referrers tag schema, delete', async (t) => {
  const registry = await start(t);
  const c = client(t);
  const ref = `${registry.host}/team/app:1`;
  const image = await makeFixtureImage(ref);
  await push(image.store, ref, undefined, { client: c });
  await push(image.store, ref, `${registry.host}/team/app:2`, { client: c });
  const repo = { registry: registry.host, repository: 'team/app' };
  assert.deepEqual((await c.listTags(repo, { pageSize: 1 })).sort(), ['1', '2']);
  const copied = await copy(ref, `${registry.host}/other/app:1`, { client: c });
  assert.equal(copied.blobs.mounted, 5);
  assert.deepEqual(await c.catalog(registry.host, { pageSize: 1 }), ['other/app', 'team/app']);
  const big = Buffer.alloc(3 * 1024 * 1024 + 5).map((_, i) => (i * 13) & 0xff);
  const bigDesc = { digest: digestOf(big), size: big.byteLength };
  assert.equal((await c.uploadBlob(repo, big, bigDesc, { maxChunkSize: 1024 * 1024 })).how, 'uploaded');
  assert.deepEqual(await c.getBlob(repo, bigDesc), big);
  // distribution 2.8 has no referrers API: the tag schema is used both ways.
  const empty = { mediaType: OCI.empty, digest: digestOf('{}'), size: 2 };
  await c.uploadBlob(repo, Buffer.from('{}'), empty);
  const subject = image.platforms[0]!;
  const artifact = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, artifactType: 'application/vnd.example.sbom', config: empty, layers: [empty], subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size } }));
  await c.putManifest(repo, digestOf(artifact), artifact, OCI.manifest);
  const referrers = await c.referrers(repo, subject.digest);
  assert.deepEqual(referrers.map((r) => [r.digest, r.artifactType]), [[digestOf(artifact), 'application/vnd.example.sbom']]);
  await c.deleteManifest(repo, digestOf(artifact));
  assert.equal(await c.headManifest(repo, digestOf(artifact)), undefined);
});

test('htpasswd Basic auth: right password works with oci-kit and skopeo, a wrong one is unauthorized', async (t) => {
  const dir = await tempDir(t);
  const htpasswd = join(dir, 'htpasswd');
  await writeFile(htpasswd, execFileSync(requireTool('htpasswd', 'apache2-utils'), ['-Bbn', 'alice', 'wonderland'], { encoding: 'utf8' }));
  const registry = await start(t, { htpasswd });
  const ref = `${registry.host}/team/app:1`;
  const image = await makeFixtureImage(ref);
  const ok = client(t, { [registry.host]: { username: 'alice', password: 'wonderland' } });
  await push(image.store, ref, undefined, { client: ok });
  const raw = await skopeoRun(['inspect', '--tls-verify=false', '--creds', 'alice:wonderland', '--raw', `docker://${ref}`]);
  assert.equal(digestOf(raw), image.root.digest);
  const bad = client(t, { [registry.host]: { username: 'alice', password: 'looking-glass' } });
  await assert.rejects(pull(ref, new MemoryStore(), { client: bad }), (err: any) => {
    assert.equal(err.code, 'ERR_REGISTRY_UNAUTHORIZED');
    assert.doesNotMatch(err.message, /looking-glass/);
    return true;
  });
  await assert.rejects(pull(ref, new MemoryStore(), { client: client(t) }), { code: 'ERR_REGISTRY_UNAUTHORIZED' });
});

test('token auth: the registry trusts JWTs from a realm served by the test', async (t) => {
  const dir = await tempDir(t);
  const { privateKey, publicKey, certPem } = makeSigningCertificate();
  const bundle = join(dir, 'root.pem');
  await writeFile(bundle, certPem);
  const service = 'oci-kit-interop';
  const issuer = 'oci-kit-test-issuer';
  const tokens = await startTokenService({ issuer, service, user: 'tok', password: 'en', privateKey, publicKey });
  t.after(() => tokens.close());
  const registry = await start(t, { token: { realm: tokens.realm, service, issuer, rootcertbundle: bundle } });
  const ref = `${registry.host}/team/app:1`;
  const image = await makeFixtureImage(ref);
  const ok = client(t, { [registry.host]: { username: 'tok', password: 'en' } });
  const pushed = await push(image.store, ref, undefined, { client: ok });
  assert.equal(pushed.descriptor.digest, image.root.digest);
  assert.ok(tokens.requests.some((r) => r.user === 'tok' && r.scopes.includes('repository:team/app:pull,push')));
  const pulled = await pull(ref, new MemoryStore(), { client: ok, platform: 'all' });
  assert.equal(pulled.descriptor.digest, image.root.digest);
  const raw = await skopeoRun(['inspect', '--tls-verify=false', '--creds', 'tok:en', '--raw', `docker://${ref}`]);
  assert.equal(digestOf(raw), image.root.digest);
  await assert.rejects(pull(ref, new MemoryStore(), { client: client(t, { [registry.host]: { username: 'tok', password: 'nope' } }) }), { code: 'ERR_REGISTRY_UNAUTHORIZED' });
  await assert.rejects(pull(ref, new MemoryStore(), { client: client(t) }), { code: 'ERR_REGISTRY_UNAUTHORIZED' });
});

for (const forwarded of [0, 1]) {
    test(`chunked upload to the CNCF registry survives its FIRST PATCH breaking after ${forwarded} byte(s)`, async (t) => {
    const registry = await start(t);
    const target = new URL(`http://${registry.host}`);
    let patches = 0;
    // A proxy that drops the first PATCH after forwarding one byte of it, then passes everything through.
    const proxy = createServer((req, res) => {
      const firstPatch = req.method === 'PATCH' && ++patches === 1;
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        if (firstPatch) {
          answer.resume();
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      if (firstPatch) {
        // 0 bytes: the status says the ambiguous "0-0"; 1 byte: the registry loses the session (404).
        req.once('data', (chunk: Buffer) => {
          req.pause();
          if (forwarded === 0) {
            upstream.destroy();
            req.socket.destroy();
            return;
          }
          upstream.setHeader('content-length', String(forwarded));
          upstream.end(chunk.subarray(0, forwarded));
        });
      } else req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
    const host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const c = client(t);
    const repo = { registry: host, repository: `resume/first${forwarded}` };
    const data = Buffer.alloc(300_000).map((_, i) => (i * 17) & 0xff);
    const desc = { digest: digestOf(data), size: data.byteLength };
    assert.equal((await c.uploadBlob(repo, data, desc, { mode: 'chunked', chunkSize: 100_000 })).how, 'uploaded');
    assert.ok(patches > 3);
    assert.deepEqual(await c.getBlob({ registry: registry.host, repository: `resume/first${forwarded}` }, desc), data);
  });
}
