// RUN --mount under the real sandboxes over a busybox base: a context bind mount shows no
// .dockerignore'd file and re-runs when a mounted file changes; a cache mount with uid= is writable
// by a non-root USER and lives in the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDockerfile } from '../../../src/build/dockerfile-build.js';
import { createBusyboxImage } from '../../../src/build/executor/busybox-image.js';
import { UnshareExecutor } from '../../../src/build/executor/unshare.js';
import { BwrapExecutor } from '../../../src/build/executor/bwrap.js';
import type { Executor } from '../../../src/build/executor/types.js';
import { extractLayers } from '../../../src/layer/extract.js';
import { OciLayout } from '../../../src/store/layout.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';

const sandboxes: Array<[string, () => Executor, string]> = [
  ['bwrap', () => new BwrapExecutor(), 'bubblewrap'],
  ['unshare', () => new UnshareExecutor(), 'util-linux'],
];

for (const [name, make, pkg] of sandboxes) test(`bind and cache mounts under ${name}`, async (t) => {
  requireTool('busybox', 'busybox-static');
  requireTool(name, pkg);
  const executor = make();
  const storeDir = await tempDir(t);
  const store = await OciLayout.open(storeDir, { create: true });
  await createBusyboxImage(store);
  const context = await tempDir(t);
  writeFileSync(join(context, '.dockerignore'), 'secret\n');
  writeFileSync(join(context, 'secret'), 'hidden');
  writeFileSync(join(context, 'data'), 'one');
  writeFileSync(
    join(context, 'Dockerfile'),
    [
      'FROM busybox:local',
      'RUN --mount=type=bind,target=/ctx ls -a /ctx > /listing && cat /ctx/data > /data',
      'USER 65534',
      'RUN --mount=type=cache,target=/cache,uid=65534 echo cached > /cache/written && ls /cache > /dev/null',
      '',
    ].join('\n'),
  );
  const read = async (digestLayers: Parameters<typeof extractLayers>[1], name: string) => {
    const out = join(await tempDir(t), 'rootfs');
    mkdirSync(out);
    await extractLayers(store, digestLayers, out);
    return readFileSync(join(out, name), 'utf8');
  };
  const first = await buildDockerfile({ context, store, executor });
  const listing = (await read(first.manifest!.layers, 'listing')).split('\n');
  assert.ok(listing.includes('data') && listing.includes('Dockerfile'), listing.join(','));
  assert.ok(!listing.includes('secret'), 'an ignored file is not in the bind mount');
  assert.equal(await read(first.manifest!.layers, 'data'), 'one');
  const caches = join(storeDir, '.oci-kit', 'cache-mounts');
  const [cacheDir] = readdirSync(caches);
  assert.equal(readFileSync(join(caches, cacheDir!, 'written'), 'utf8'), 'cached\n');

  writeFileSync(join(context, 'data'), 'two');
  const second = await buildDockerfile({ context, store, executor });
  assert.equal(await read(second.manifest!.layers, 'data'), 'two', 'a changed mounted file re-runs the RUN');
});
