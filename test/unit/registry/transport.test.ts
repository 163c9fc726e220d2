import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transport, isLoopback, resolveEndpoint, retryAfterMs } from '../../../src/registry/transport.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { digestOf } from '../../../src/digest/hasher.js';

async function setup(t: TestContext, retry = { baseDelayMs: 1, maxDelayMs: 20 }) {
  const registry = await TestRegistry.start();
  const client = new RegistryClient({ dockerConfig: false, retry });
  const retries: { reason: string; delayMs: number }[] = [];
  client.on('retry', (info) => retries.push(info));
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const repo = { registry: registry.host, repository: 'team/app' };
  const data = Buffer.alloc(3 * 1024 * 1024 + 17, 1).map((_, i) => (i * 31) & 0xff);
  const desc = { digest: digestOf(data), size: data.byteLength };
  await client.uploadBlob(repo, data, desc);
  registry.reset();
  return { registry, client, repo, data, desc, retries };
}

test('endpoints: https by default, http for loopback and insecure registries, Docker Hub host', () => {
  assert.equal(resolveEndpoint('docker.io').base, 'https://registry-1.docker.io');
  assert.equal(resolveEndpoint('ghcr.io').base, 'https://ghcr.io');
  assert.equal(resolveEndpoint('localhost:5000').base, 'http://localhost:5000');
  assert.equal(resolveEndpoint('127.0.0.2:80').base, 'http://127.0.0.2:80');
  assert.equal(resolveEndpoint('[::1]:5000').base, 'http://[::1]:5000');
  assert.equal(resolveEndpoint('registry.lan:5000', ['registry.lan:5000']).base, 'http://registry.lan:5000');
  assert.equal(resolveEndpoint('registry.lan:5000', ['registry.lan']).base, 'http://registry.lan:5000');
  assert.ok(isLoopback('localhost') && isLoopback('127.1.2.3:9') && isLoopback('[::1]:1') && !isLoopback('10.0.0.1'));
});

test('Retry-After is read as seconds or a date; backoff is bounded', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6_000);
  assert.equal(retryAfterMs(undefined), undefined);
  const transport = new Transport({ retry: { baseDelayMs: 100, maxDelayMs: 1000 } });
  assert.equal(transport.backoff(1, 60_000), 1000);
  assert.ok(transport.backoff(1) >= 75 && transport.backoff(1) <= 125);
  assert.equal(transport.backoff(10), 1000);
});

test('429 with Retry-After is retried honouring the (bounded) delay', async (t) => {
  const { registry, client, repo, data, desc, retries } = await setup(t);
  registry.inject({ match: { method: 'GET', path: '/blobs/' }, action: { type: 'status', status: 429, retryAfter: 1 }, times: 2 });
  assert.deepEqual(await client.getBlob(repo, desc), data);
  assert.equal(retries.length, 2);
  assert.deepEqual(retries.map((r) => r.delayMs), [20, 20]);
  assert.match(retries[0]!.reason, /429/);
});

test('5xx answers and dropped connections are retried; too many fail with the typed error', async (t) => {
  const { registry, client, repo, desc, retries } = await setup(t);
  registry.inject({ match: { method: 'HEAD' }, action: { type: 'status', status: 503 } });
  registry.inject({ match: { method: 'HEAD' }, action: { type: 'drop' }, skip: 1 });
  assert.equal((await client.headBlob(repo, desc.digest))?.size, desc.size);
  assert.equal(retries.length, 2);
  registry.inject({ match: { method: 'HEAD' }, action: { type: 'status', status: 500 }, times: 100 });
  await assert.rejects(client.headBlob(repo, desc.digest), (err: any) => {
    assert.equal(err.code, 'ERR_REGISTRY_UNAVAILABLE');
    assert.equal(err.status, 500);
    return true;
  });
});

test('the Nth request can be made to fail', async (t) => {
  const { registry, client, repo, desc, retries } = await setup(t);
  registry.inject({ action: { type: 'status', status: 502 }, skip: 2 });
  for (let i = 0; i < 4; i++) await client.headBlob(repo, desc.digest);
  assert.equal(retries.length, 1);
  assert.equal(registry.requests[2]!.status, 502);
});

test('a blob download cut midway resumes with a Range request', async (t) => {
  const { registry, client, repo, data, desc, retries } = await setup(t);
  registry.inject({ match: { method: 'GET', path: '/blobs/' }, action: { type: 'drop-mid-body', afterBytes: 1_000_000 } });
  assert.deepEqual(await client.getBlob(repo, desc), data);
  assert.equal(retries.length, 1);
  const gets = registry.requests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/'));
  assert.deepEqual(gets.map((r) => r.status), [200, 206]);
});

test('resume also works when the server ignores Range (skips what was read)', async (t) => {
  const registry = await TestRegistry.start({ ranges: false });
  const client = new RegistryClient({ dockerConfig: false, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  const repo = { registry: registry.host, repository: 'a' };
  const data = Buffer.alloc(2_000_000).map((_, i) => i & 0xff);
  const desc = { digest: digestOf(data), size: data.byteLength };
  await client.uploadBlob(repo, data, desc);
  registry.inject({ match: { method: 'GET', path: '/blobs/' }, action: { type: 'drop-mid-body', afterBytes: 700_000 } });
  assert.deepEqual(await client.getBlob(repo, desc), data);
});

test('a chunk upload broken midway resumes from the upload status offset', async (t) => {
  const { registry, client, repo, retries } = await setup(t);
  const data = Buffer.alloc(5_000_000).map((_, i) => (i * 7) & 0xff);
  const desc = { digest: digestOf(data), size: data.byteLength };
  registry.inject({ match: { method: 'PATCH' }, action: { type: 'drop-mid-body', afterBytes: 300_000 }, skip: 1 });
  const result = await client.uploadBlob(repo, data, desc, { mode: 'chunked', chunkSize: 1_000_000 });
  assert.equal(result.how, 'uploaded');
  assert.equal(retries.length, 1, JSON.stringify(retries) + JSON.stringify(registry.requests));
  assert.ok(registry.requests.some((r) => r.method === 'GET' && r.path.includes('/blobs/uploads/') && r.status === 204));
  assert.deepEqual(await client.getBlob(repo, desc), data);
});

test('a monolithic upload that fails is started over', async (t) => {
  const { registry, client, repo, retries } = await setup(t);
  const data = Buffer.from('monolithic data '.repeat(10_000));
  const desc = { digest: digestOf(data), size: data.byteLength };
  registry.inject({ match: { method: 'PUT' }, action: { type: 'drop-mid-body', afterBytes: 10_000 } });
  registry.inject({ match: { method: 'PUT' }, action: { type: 'status', status: 503 }, skip: 1 });
  assert.equal((await client.uploadBlob(repo, data, desc)).how, 'uploaded');
  assert.equal(retries.length, 2);
  assert.deepEqual(await client.getBlob(repo, desc), data);
});

test('a server that stops sending times out with ERR_REGISTRY_TIMEOUT', async (t) => {
  const server = http.createServer((req) => {
    if (req.url === '/v2/') req.socket.on('data', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const client = new RegistryClient({ dockerConfig: false, timeoutMs: 50, retry: { retries: 0 } });
  t.after(() => client.close());
  await assert.rejects(client.ping(`127.0.0.1:${(server.address() as AddressInfo).port}`), { code: 'ERR_REGISTRY_TIMEOUT' });
});

test('an aborted signal cancels a transfer', async (t) => {
  const { client, repo, desc } = await setup(t);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(client.getBlob(repo, desc, { signal: controller.signal }), { name: 'AbortError' });
});

test('redirects are followed and never carry credentials to another host', async (t) => {
  const seen: (string | undefined)[] = [];
  const target = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'content-length': '5' }).end('hello');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetPort = (target.address() as AddressInfo).port;
  const origin = http.createServer((req, res) => {
    if (req.url === '/v2/') {
      if (req.headers.authorization) return void res.writeHead(200).end('{}');
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
    }
    // "localhost" is another host than 127.0.0.1, as a CDN would be.
    res.writeHead(307, { location: `http://localhost:${targetPort}/blob` }).end();
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  t.after(() => {
    target.close();
    origin.close();
  });
  const host = `127.0.0.1:${(origin.address() as AddressInfo).port}`;
  const client = new RegistryClient({ dockerConfig: false, credentials: { [host]: { username: 'u', password: 'secret' } } });
  t.after(() => client.close());
  const bytes = await client.getBlob({ registry: host, repository: 'r' }, { digest: digestOf('hello'), size: 5 });
  assert.equal(bytes.toString(), 'hello');
  assert.deepEqual(seen, [undefined]);
});
