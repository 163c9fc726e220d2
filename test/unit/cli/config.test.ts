import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { makeImage } from '../store/fixtures/images.js';

test('config prints the raw config bytes', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, { tag: 'docker.io/library/hello:latest', env: ['X=y'] });
  const r = await runCli(['config', 'hello:latest', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, img.configBytes.toString());
  assert.deepEqual(JSON.parse(r.stdout).config.Env, ['X=y']);
  const missing = await runCli(['config', 'ghost', '--store', dir]);
  assert.equal(missing.code, 1);
  assert.equal((await runCli(['config', '--store', dir])).code, 2);
});
