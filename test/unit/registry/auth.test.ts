import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Authenticator, mergeScopes, parseChallenges, scopesCover } from '../../../src/registry/auth.js';
import type { Transport } from '../../../src/registry/transport.js';
import { RegistryClient } from '../../../src/registry/client.js';
import { TestRegistry, type TestRegistryAuth } from '../../../src/testing/index.js';
import { digestOf } from '../../../src/digest/hasher.js';
import type { Credentials } from '../../../src/registry/auth.js';

async function setup(t: TestContext, auth: TestRegistryAuth, credentials?: Credentials) {
  const registry = await TestRegistry.start({ auth });
  const client = new RegistryClient({
    dockerConfig: false,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...(credentials ? { credentials: { [registry.host]: credentials } } : {}),
  });
  t.after(async () => {
    client.close();
    await registry.close();
  });
  return { registry, client, repo: { registry: registry.host, repository: 'team/app' } };
}

const blob = Buffer.from('hello auth');
const desc = { digest: digestOf(blob), size: blob.byteLength };

test('parseChallenges reads Bearer and Basic parameters, quoted and bare', () => {
  const [bearer, basic] = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm=x');
  assert.deepEqual(bearer, { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } });
  assert.deepEqual(basic, { scheme: 'basic', params: { realm: 'x' } });
  assert.deepEqual(parseChallenges(undefined), []);
});

test('scopes merge per resource and cover subsets', () => {
  assert.deepEqual(mergeScopes(['repository:a:pull', 'repository:a:push', 'repository:b:pull']), ['repository:a:pull,push', 'repository:b:pull']);
  assert.ok(scopesCover(['repository:a:pull,push'], ['repository:a:pull']));
  assert.ok(!scopesCover(['repository:a:pull'], ['repository:a:push']));
  assert.ok(scopesCover(['registry:catalog:*'], ['registry:catalog:*']));
});

test('Basic auth with the right password works; a wrong one is a clear unauthorized error', async (t) => {
  const ok = await setup(t, { type: 'basic', users: { alice: 's3cret' } }, { username: 'alice', password: 's3cret' });
  await ok.client.uploadBlob(ok.repo, blob, desc);
  assert.deepEqual(await ok.client.getBlob(ok.repo, desc), blob);

  const bad = await setup(t, { type: 'basic', users: { alice: 's3cret' } }, { username: 'alice', password: 'wrong-password' });
  await assert.rejects(bad.client.headBlob(bad.repo, desc.digest), (err: any) => {
    assert.equal(err.code, 'ERR_REGISTRY_UNAUTHORIZED');
    assert.equal(err.status, 401);
    assert.match(err.message, /unauthorized/);
    assert.doesNotMatch(`${err.message} ${err.hint} ${err.stack}`, /wrong-password/);
    return true;
  });
  const anonymous = await setup(t, { type: 'basic', users: { alice: 's3cret' } });
  await assert.rejects(anonymous.client.headBlob(anonymous.repo, desc.digest), { code: 'ERR_REGISTRY_UNAUTHORIZED' });
});

test('Bearer: tokens come from the token endpoint, are cached per scope, and widen for push', async (t) => {
  const { registry, client, repo } = await setup(t, { type: 'bearer', users: { bob: 'pw' } }, { username: 'bob', password: 'pw' });
  await client.uploadBlob(repo, blob, desc);
  await client.getBlob(repo, desc);
  await client.getBlob(repo, desc);
  const tokenRequests = registry.requests.filter((r) => r.path.startsWith('/token'));
  // One token for pull,push (upload) covers the later pulls.
  assert.equal(tokenRequests.length, 1);
  assert.match(tokenRequests[0]!.path, /scope=repository%3Ateam%2Fapp%3Apull%2Cpush/);
  // Catalog needs another scope, so another token.
  await client.catalog(repo.registry);
  assert.equal(registry.requests.filter((r) => r.path.startsWith('/token')).length, 2);
});

test('Bearer: a refresh token handed back is used for later scopes (OAuth2 POST)', async (t) => {
  const { registry, client, repo } = await setup(t, { type: 'bearer', users: { bob: 'pw' } }, { username: 'bob', password: 'pw' });
  await client.uploadBlob(repo, blob, desc);
  await client.uploadBlob({ ...repo, repository: 'other' }, blob, desc, { mountFrom: repo.repository });
  const token = registry.requests.filter((r) => r.path.startsWith('/token'));
  assert.equal(token[0]!.method, 'GET');
  assert.equal(token[1]!.method, 'POST');
});

test('Bearer: anonymous pulls when the registry allows them; push is refused', async (t) => {
  const owner = await setup(t, { type: 'bearer', users: { bob: 'pw' }, anonymousPull: true }, { username: 'bob', password: 'pw' });
  await owner.client.uploadBlob(owner.repo, blob, desc);
  const anonymous = new RegistryClient({ dockerConfig: false });
  t.after(() => anonymous.close());
  assert.deepEqual(await anonymous.getBlob(owner.repo, desc), blob);
  await assert.rejects(anonymous.uploadBlob(owner.repo, Buffer.from('x'), { digest: digestOf('x'), size: 1 }), { code: 'ERR_REGISTRY_UNAUTHORIZED' });
});

test('Bearer: a wrong password is refused by the token service, without the secret in the error', async (t) => {
  const { client, repo } = await setup(t, { type: 'bearer', users: { bob: 'pw' } }, { username: 'bob', password: 'not-the-password' });
  await assert.rejects(client.getBlob(repo, desc), (err: any) => {
    assert.equal(err.code, 'ERR_REGISTRY_UNAUTHORIZED');
    assert.match(err.message, /refused the credentials/);
    assert.doesNotMatch(`${err.message} ${err.hint}`, /not-the-password/);
    return true;
  });
});

test('identity tokens are exchanged with grant_type=refresh_token', async (t) => {
  const first = await setup(t, { type: 'bearer', users: { bob: 'pw' } }, { username: 'bob', password: 'pw' });
  // Obtain a refresh token the way `docker login` does, then use it as the identity token.
  const res = await fetch(`${first.registry.url}/token?service=oci-kit-test&offline_token=true&scope=repository:team/app:pull`, {
    headers: { authorization: `Basic ${Buffer.from('bob:pw').toString('base64')}` },
  });
  const { refresh_token } = (await res.json()) as { refresh_token: string };
  const client = new RegistryClient({ dockerConfig: false, credentials: { [first.registry.host]: { identityToken: refresh_token } } });
  t.after(() => client.close());
  await client.uploadBlob(first.repo, blob, desc);
  assert.ok(first.registry.requests.some((r) => r.method === 'POST' && r.path === '/token' && r.status === 200));
});

/** A transport that answers every token request with a token and records what was sent where. */
function recordingTransport() {
  const sent: { url: string; authorization: string | undefined }[] = [];
  const transport = {
    async sendWithRetry(request: { url: URL; headers?: Record<string, string> }) {
      sent.push({ url: request.url.origin, authorization: request.headers?.authorization });
      return { status: 200, headers: {}, url: request.url, body: Readable.from([Buffer.from('{"token":"t"}')]) };
    },
  };
  return { sent, transport: transport as unknown as Transport };
}

test('credentials go to a token realm on another host, but never downgraded from https to http', async () => {
  const credentials = async () => ({ username: 'me', password: 'secret' });
  const https = { registry: 'registry.example', base: 'https://registry.example' };
  const challenge = (realm: string) => `Bearer realm="${realm}",service="registry.example"`;
  const scopes = ['repository:app:pull'];

  const { sent, transport } = recordingTransport();
  const auth = new Authenticator(transport, credentials);
  await auth.learn(https, challenge('http://auth.example/token'));
  await assert.rejects(auth.authorization(https, scopes), (err: any) => {
    assert.equal(err.code, 'ERR_REGISTRY_PROTOCOL');
    assert.match(err.message, /refusing the token realm http:\/\/auth\.example\/token/);
    assert.doesNotMatch(err.message, /secret/);
    return true;
  });
  assert.equal(sent.length, 0, 'nothing is sent to the http realm');

  // https realm on another host: Docker's behaviour, credentials go to the token server.
  await auth.learn(https, challenge('https://auth.example/token'));
  assert.equal(await auth.authorization(https, scopes), 'Bearer t');
  assert.deepEqual(sent.map((s) => [s.url, s.authorization?.startsWith('Basic ')]), [['https://auth.example', true]]);

  // Plain HTTP is fine on loopback, for hosts configured insecure, and for a plain-HTTP registry.
  for (const [endpoint, realm, insecure] of [
    [https, 'http://127.0.0.1:5001/token', []],
    [https, 'http://auth.internal:8080/token', ['auth.internal']],
    [{ registry: 'reg.internal', base: 'http://reg.internal' }, 'http://auth.internal/token', []],
  ] as const) {
    const recorded = recordingTransport();
    const allowed = new Authenticator(recorded.transport, credentials, undefined, insecure);
    await allowed.learn(endpoint, challenge(realm));
    assert.equal(await allowed.authorization(endpoint, scopes), 'Bearer t', realm);
  }
  // Anything but http(s) is refused outright.
  const other = new Authenticator(recordingTransport().transport, credentials);
  await other.learn(https, challenge('file:///etc/token'));
  await assert.rejects(other.authorization(https, scopes), /refusing the token realm file:/);
});
