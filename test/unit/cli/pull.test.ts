import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { OciLayout } from '../../../src/store/layout.js';
import { seedRegistry } from '../registry/fixtures.js';

test('pull REF stores the image under its full reference', async (t) => {
  const registry = await TestRegistry.start();
  t.after(() => registry.close());
  const digest = await seedRegistry(registry, 'team/app:1');
  const storeDir = await tempDir(t);
  const r = await runCli(['--store', storeDir, 'pull', `${registry.host}/team/app:1`], { DOCKER_CONFIG: storeDir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Digest: ${digest}`));
  const layout = await OciLayout.open(storeDir);
  assert.equal((await layout.resolveTag(`${registry.host}/team/app:1`))?.digest, digest);
});

test('pull of a missing tag exits 1 with the registry error', async (t) => {
  const registry = await TestRegistry.start();
  t.after(() => registry.close());
  const storeDir = await tempDir(t);
  const r = await runCli(['--store', storeDir, 'pull', `${registry.host}/team/none:1`], { DOCKER_CONFIG: storeDir });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /oci-kit: error: GET manifest .*MANIFEST_UNKNOWN/);
});
