import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

test('logout of a registry without a login says so and exits 0', async (t) => {
  const dir = await tempDir(t);
  const r = await runCli(['logout', 'localhost:5000'], { DOCKER_CONFIG: dir });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'Not logged in to localhost:5000\n');
});
