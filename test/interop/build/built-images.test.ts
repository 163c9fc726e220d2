// Images built by `oci-kit build` and by ImageBuilder, checked by other tools: umoci unpacks them
// and runc executes their CMD (we are root in CI), skopeo reads the layout that holds the build
// cache. A missing tool fails loudly (requireTool).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { requireTool } from '../../helpers/tools.js';
import { OciLayout } from '../../../src/store/layout.js';
import { createBusyboxImage } from '../../../src/build/executor/busybox-image.js';
import { ImageBuilder } from '../../../src/build/builder.js';

const exec = promisify(execFile);

/** umoci unpack + runc run of `ref` in layout `store`; returns what the container printed. */
async function unpackAndExecute(t: import('node:test').TestContext, store: string, ref: string): Promise<string> {
  const umoci = requireTool('umoci');
  const runc = requireTool('runc');
  const bundle = join(await tempDir(t), 'bundle');
  await exec(umoci, ['unpack', '--image', `${store}:${ref}`, bundle]);
  const configPath = join(bundle, 'config.json');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { process: { terminal: boolean } };
  config.process.terminal = false;
  await writeFile(configPath, JSON.stringify(config));
  const id = `oci-kit-build-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const result = await exec(runc, ['run', '--bundle', bundle, id]).finally(() => exec(runc, ['delete', '--force', id]).catch(() => {}));
  return result.stdout;
}

test('a Dockerfile with RUN, COPY, USER and multi-stage builds an image that runc runs', async (t) => {
  requireTool('bwrap', 'bubblewrap');
  requireTool('busybox', 'busybox-static');
  const store = await tempDir(t);
  await createBusyboxImage(await OciLayout.open(store, { create: true }));
  const context = await tempDir(t);
  await writeFile(join(context, 'note.txt'), 'copied from the context\n');
  await writeFile(
    join(context, 'Dockerfile'),
    [
      'FROM busybox:local AS builder',
      'ARG WHO=world',
      'RUN mkdir -p /out && echo "built for $WHO" > /out/message',
      'FROM busybox:local',
      'COPY --from=builder /out/message /srv/message',
      'COPY --chown=nobody:nobody note.txt /srv/',
      'WORKDIR /srv',
      'RUN ls -ln /srv/note.txt | awk \'{print $3":"$4}\' > owner',
      'USER nobody',
      'CMD ["sh", "-c", "cat message note.txt owner; id -u"]',
    ].join('\n'),
  );
  const built = await spawnCli(['--store', store, 'build', '-t', 'built:1', '--build-arg', 'WHO=runc', context]);
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stderr, /#\d+ \[builder 3\/\d+\] RUN mkdir/);
  assert.match(built.stderr, /naming to built:1 done/);
  const output = await unpackAndExecute(t, store, 'docker.io/library/built:1');
  assert.equal(output, 'built for runc\ncopied from the context\n65534:65534\n65534\n');
  const again = await spawnCli(['--store', store, 'build', '-q', '-t', 'built:1', '--build-arg', 'WHO=runc', context]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^sha256:[0-9a-f]{64}\n$/);
});

test('the store holding a build cache stays a valid layout for skopeo and umoci', async (t) => {
  const skopeo = requireTool('skopeo');
  const umoci = requireTool('umoci');
  const store = await tempDir(t);
  const context = await tempDir(t);
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY a /a\n');
  await writeFile(join(context, 'a'), 'a');
  assert.equal((await spawnCli(['--store', store, 'build', '-t', 'cached:1', context])).code, 0);
  const inspect = JSON.parse((await exec(skopeo, ['inspect', `oci:${store}:docker.io/library/cached:1`])).stdout) as { Layers: string[] };
  assert.equal(inspect.Layers.length, 1);
  const listed = (await exec(umoci, ['ls', '--layout', store])).stdout;
  assert.equal(listed.trim(), 'docker.io/library/cached:1');
  const copy = join(await tempDir(t), 'copy');
  await exec(skopeo, ['copy', `oci:${store}:docker.io/library/cached:1`, `oci:${copy}:x`]);
});

test('an ImageBuilder image with a busybox base runs its entrypoint under runc', async (t) => {
  requireTool('busybox', 'busybox-static');
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const base = await createBusyboxImage(layout);
  await mkdir(join(dir, 'unused'), { recursive: true });
  const image = await ImageBuilder.from('busybox:local', { platform: base.config.os + '/' + base.config.architecture })
    .addFiles({ '/greet.sh': '#!/bin/sh\necho "scripted $1"\n' }, { chmod: '0755' })
    .entrypoint(['/greet.sh'])
    .cmd(['hello'])
    .build({ store: layout });
  await image.tag('scripted:1');
  assert.equal(await unpackAndExecute(t, dir, 'docker.io/library/scripted:1'), 'scripted hello\n');
});

test('a failing build exits 1 naming Dockerfile:LINE and tags nothing', async (t) => {
  const store = await tempDir(t);
  const context = await tempDir(t);
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY a /a\nCOPY missing /m\n');
  await writeFile(join(context, 'a'), 'a');
  const result = await spawnCli(['--store', store, 'build', '-t', 'never:1', context]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /oci-kit: error: Dockerfile:3: COPY missing \/m: "missing" not found in the build context/);
  const images = await spawnCli(['--store', store, 'images']);
  assert.doesNotMatch(images.stdout, /never/);
});
