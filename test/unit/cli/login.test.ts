import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { TestRegistry } from '../../../src/testing/index.js';

test('login checks the password and writes base64 auth like docker; logout removes it', async (t) => {
  const registry = await TestRegistry.start({ auth: { type: 'bearer', users: { ann: 'pa55' } } });
  t.after(() => registry.close());
  const dir = await tempDir(t);
  const env = { DOCKER_CONFIG: dir };
  const bad = await runCli(['login', '-u', 'ann', '--password-stdin', registry.host], env, 'nope\n');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /refused the credentials/);
  assert.doesNotMatch(bad.stderr, /nope/);
  const ok = await runCli(['login', '-u', 'ann', '--password-stdin', registry.host], env, 'pa55\n');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'Login Succeeded\n');
  const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
  assert.equal(config.auths[registry.host].auth, Buffer.from('ann:pa55').toString('base64'));
  // The saved login is used: listing the catalog needs a token.
  const catalog = await runCli(['catalog', registry.host], env);
  assert.equal(catalog.code, 0, catalog.stderr);
  const out = await runCli(['logout', registry.host], env);
  assert.equal(out.code, 0);
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).auths, {});
  const again = await runCli(['catalog', registry.host], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /unauthorized|refused/);
});

test('login without --password-stdin is a usage error', async () => {
  const r = await runCli(['login', '-u', 'x', 'localhost:5000']);
  assert.equal(r.code, 2);
});
