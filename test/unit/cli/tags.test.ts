import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { TestRegistry } from '../../../src/testing/index.js';
import { seedRegistry } from '../registry/fixtures.js';

test('tags REPO lists tags, one a line, or as JSON', async (t) => {
  const registry = await TestRegistry.start();
  t.after(() => registry.close());
  await seedRegistry(registry, 'team/app:1');
  await seedRegistry(registry, 'team/app:2');
  const r = await runCli(['tags', `${registry.host}/team/app`], { DOCKER_CONFIG: '/nonexistent' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '1\n2\n');
  const json = await runCli(['--format', 'json', 'tags', `${registry.host}/team/app`], { DOCKER_CONFIG: '/nonexistent' });
  assert.deepEqual(JSON.parse(json.stdout), ['1', '2']);
});
