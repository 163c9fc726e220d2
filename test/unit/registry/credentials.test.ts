import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readFile, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../helpers/tmp.js';
import {
  DOCKER_HUB_AUTH_KEY,
  authKey,
  credentialsFromDockerConfig,
  dockerConfigCredentials,
  dockerConfigPath,
  removeLogin,
  saveLogin,
} from '../../../src/registry/credentials.js';

test('config path follows DOCKER_CONFIG, else ~/.docker', () => {
  assert.equal(dockerConfigPath({ env: { DOCKER_CONFIG: '/d' } }), '/d/config.json');
  assert.equal(dockerConfigPath({ env: { HOME: '/h' } }), '/h/.docker/config.json');
  assert.equal(authKey('docker.io'), DOCKER_HUB_AUTH_KEY);
  assert.equal(authKey('ghcr.io'), 'ghcr.io');
});

test('auths entries: base64 auth, identity token, registry token, Docker Hub URL keys', async () => {
  const config = {
    auths: {
      'reg.example': { auth: Buffer.from('user:pa:ss').toString('base64') },
      'https://index.docker.io/v1/': { identitytoken: 'refresh-me' },
      'https://tok.example/v1/': { registrytoken: 'ready' },
    },
  };
  assert.deepEqual(await credentialsFromDockerConfig(config, 'reg.example'), { username: 'user', password: 'pa:ss' });
  assert.deepEqual(await credentialsFromDockerConfig(config, 'docker.io'), { identityToken: 'refresh-me' });
  assert.deepEqual(await credentialsFromDockerConfig(config, 'tok.example'), { registryToken: 'ready' });
  assert.equal(await credentialsFromDockerConfig(config, 'other.example'), undefined);
});

test('credential helpers are run with the docker-credential protocol', async (t) => {
  const dir = await tempDir(t);
  const helper = join(dir, 'docker-credential-fake');
  await writeFile(
    helper,
    `#!/bin/sh\nread server\nif [ "$1" = get ] && [ "$server" = "helped.example" ]; then echo '{"ServerURL":"helped.example","Username":"hu","Secret":"hs"}'; exit 0; fi\nif [ "$1" = get ] && [ "$server" = "tok.example" ]; then echo '{"Username":"<token>","Secret":"idt"}'; exit 0; fi\necho "credentials not found in native keychain"; exit 1\n`,
  );
  await chmod(helper, 0o755);
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
  const config = { credHelpers: { 'helped.example': 'fake' }, credsStore: 'fake' };
  assert.deepEqual(await credentialsFromDockerConfig(config, 'helped.example', env), { username: 'hu', password: 'hs' });
  assert.deepEqual(await credentialsFromDockerConfig(config, 'tok.example', env), { identityToken: 'idt' });
  assert.equal(await credentialsFromDockerConfig(config, 'unknown.example', env), undefined);
  await assert.rejects(credentialsFromDockerConfig({ credsStore: 'absent-helper-xyz' }, 'x.example', env), { code: 'ERR_CREDENTIAL_HELPER' });
});

test('saveLogin writes base64 auth with mode 0600 and keeps other fields; removeLogin deletes it', async (t) => {
  const dir = await tempDir(t);
  const env = { DOCKER_CONFIG: dir };
  await writeFile(join(dir, 'config.json'), JSON.stringify({ psFormat: 'table', auths: { 'keep.example': { auth: 'a2VlcDprZWVw' } } }));
  await saveLogin('localhost:5000', { username: 'me', password: 'pw' }, { env });
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  assert.equal(config.psFormat, 'table');
  assert.equal(config.auths['localhost:5000'].auth, Buffer.from('me:pw').toString('base64'));
  assert.equal((await stat(join(dir, 'config.json'))).mode & 0o777, 0o600);
  const provider = dockerConfigCredentials({ env });
  assert.deepEqual(await provider('localhost:5000'), { username: 'me', password: 'pw' });
  assert.equal(await removeLogin('localhost:5000', { env }), true);
  assert.equal(await removeLogin('localhost:5000', { env }), false);
  assert.deepEqual(Object.keys(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).auths), ['keep.example']);
});

test('a broken config file is a clear error', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'config.json'), '{nope');
  await assert.rejects(async () => dockerConfigCredentials({ env: { DOCKER_CONFIG: dir } })('x'), { code: 'ERR_DOCKER_CONFIG' });
});

test('a symlinked config.json keeps its link; the target gets the login, mode 0600, no temp files left', async (t) => {
  const dir = await tempDir(t);
  const dotfiles = join(dir, 'dotfiles');
  const dockerDir = join(dir, 'docker');
  await mkdir(dotfiles);
  await mkdir(dockerDir);
  await writeFile(join(dotfiles, 'docker-config.json'), JSON.stringify({ psFormat: 'table' }), { mode: 0o644 });
  await symlink('../dotfiles/docker-config.json', join(dockerDir, 'config.json'));
  const env = { DOCKER_CONFIG: dockerDir };
  await saveLogin('localhost:5000', { username: 'me', password: 'pw' }, { env });
  assert.ok((await lstat(join(dockerDir, 'config.json'))).isSymbolicLink());
  const written = JSON.parse(await readFile(join(dotfiles, 'docker-config.json'), 'utf8'));
  assert.deepEqual(written, { psFormat: 'table', auths: { 'localhost:5000': { auth: Buffer.from('me:pw').toString('base64') } } });
  assert.equal((await stat(join(dotfiles, 'docker-config.json'))).mode & 0o777, 0o600);
  assert.deepEqual((await readdir(dotfiles)).sort(), ['docker-config.json']);
  assert.deepEqual((await readdir(dockerDir)).sort(), ['config.json']);
});

test('concurrent logins each keep their entry (read-modify-write under a lock)', async (t) => {
  const dir = await tempDir(t);
  const env = { DOCKER_CONFIG: dir };
  const registries = Array.from({ length: 12 }, (_, i) => `reg${i}.example`);
  await Promise.all(registries.map((registry) => saveLogin(registry, { username: registry, password: 'pw' }, { env })));
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  assert.deepEqual(Object.keys(config.auths).sort(), [...registries].sort());
  await Promise.all(registries.slice(0, 6).map((registry) => removeLogin(registry, { env })));
  const after = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  assert.deepEqual(Object.keys(after.auths).sort(), registries.slice(6).sort());
  assert.deepEqual(await readdir(dir), ['config.json']);
});

test('a stale lock left by a crashed process is taken over', async (t) => {
  const dir = await tempDir(t);
  const env = { DOCKER_CONFIG: dir };
  const lock = join(dir, 'config.json.lock');
  await writeFile(lock, '');
  const old = new Date(Date.now() - 10 * 60 * 1000);
  await utimes(lock, old, old);
  await saveLogin('localhost:5000', { username: 'me', password: 'pw' }, { env });
  assert.deepEqual(await readdir(dir), ['config.json']);
});
