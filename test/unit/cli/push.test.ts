import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { seedRegistry } from '../registry/fixtures.js';

test('push SRC DEST sends a store image to another name; push with no image fails', async (t) => {
  const registry = await TestRegistry.start();
  t.after(() => registry.close());
  const digest = await seedRegistry(registry, 'team/app:1');
  const storeDir = await tempDir(t);
  const env = { DOCKER_CONFIG: storeDir };
  assert.equal((await runCli(['--store', storeDir, 'pull', `${registry.host}/team/app:1`], env)).code, 0);
  const r = await runCli(['--store', storeDir, 'push', `${registry.host}/team/app:1`, `${registry.host}/copy/app:2`], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Pushed .*copy\/app:2/);
  const again = await runCli(['--store', storeDir, 'push', `${registry.host}/team/app:1`, `${registry.host}/copy/app:2`], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Pushed .*copy\/app:2: already up to date \(2 blobs already present\)/);
  assert.equal(registry.tagDigest('copy/app', '2'), digest);
  const missing = await runCli(['--store', storeDir, 'push', `${registry.host}/nothing:1`], env);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no image named/);
});
