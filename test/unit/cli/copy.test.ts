import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { seedRegistry } from '../registry/fixtures.js';

test('copy between a registry and an oci: layout keeps the digest', async (t) => {
  const registry = await TestRegistry.start();
  t.after(() => registry.close());
  const digest = await seedRegistry(registry, 'team/app:1');
  const dir = await tempDir(t);
  const layoutDir = join(dir, 'layout');
  const env = { DOCKER_CONFIG: dir };
  const r = await runCli(['copy', `docker://${registry.host}/team/app:1`, `oci:${layoutDir}:latest`], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await (await OciLayout.open(layoutDir)).resolveTag('latest'))?.digest, digest);
  const back = await runCli(['copy', `oci:${layoutDir}:latest`, `${registry.host}/back/app:2`], env);
  assert.equal(back.code, 0, back.stderr);
  assert.equal(registry.tagDigest('back/app', '2'), digest);
  const bad = await runCli(['copy', `oci:${layoutDir}`, `${registry.host}/x:1`], env);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /oci:DIR:NAME/);
});
