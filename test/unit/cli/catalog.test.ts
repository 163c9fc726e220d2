import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { seedRegistry } from '../registry/fixtures.js';

test('catalog HOST lists repositories', async (t) => {
  const registry = await TestRegistry.start();
  t.after(() => registry.close());
  await seedRegistry(registry, 'b/app:1');
  await seedRegistry(registry, 'a/app:1');
  const r = await runCli(['catalog', registry.host], { DOCKER_CONFIG: '/nonexistent' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'a/app\nb/app\n');
});
