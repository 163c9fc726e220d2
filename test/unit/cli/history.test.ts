import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { OciLayout } from '../../../src/store/layout.js';
import { makeImage } from '../store/fixtures/images.js';

const LONG = '/bin/sh -c apt-get update && apt-get install -y curl ca-certificates && rm -rf /var/lib/apt/lists/*';

test('history prints IMAGE, CREATED, CREATED BY, SIZE, COMMENT newest first, truncated unless --no-trunc', async (t) => {
  const dir = await tempDir(t);
  const store = await OciLayout.open(dir, { create: true });
  const img = await makeImage(store, {
    tag: 'docker.io/library/hello:latest',
    layers: ['rootfs', 'packages'],
    history: [
      { created: '2020-01-01T00:00:00Z', created_by: 'ADD file:abc in /' },
      { created: '2020-01-02T00:00:00Z', created_by: 'CMD ["sh"]', empty_layer: true },
      { created: '2020-01-03T00:00:00Z', created_by: LONG, comment: 'buildkit' },
    ],
  });
  const r = await runCli(['history', 'hello', '--store', dir]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
  assert.match(lines[1]!, new RegExp(`^${img.config.digest.slice(7, 19)}\\s+\\d+ years ago\\s+/bin/sh -c apt-get update && apt-get install…\\s+8B\\s+buildkit$`));
  assert.match(lines[2]!, /^<missing>\s+\d+ years ago\s+CMD \["sh"\]\s+0B$/);
  assert.match(lines[3]!, /^<missing>\s+\d+ years ago\s+ADD file:abc in \/\s+6B$/);
  const full = await runCli(['history', '--no-trunc', 'hello', '--store', dir]);
  assert.ok(full.stdout.includes(LONG));
  assert.ok(full.stdout.includes(img.config.digest));
  const json = await runCli(['history', 'hello', '--format', 'json', '--store', dir]);
  assert.deepEqual(JSON.parse(json.stdout)[1], { Id: '<missing>', Created: '2020-01-02T00:00:00Z', CreatedBy: 'CMD ["sh"]', Size: 0, Comment: '', EmptyLayer: true });
});
