// An image written through the store API into an OciLayout is accepted by umoci and skopeo, and a
// layout written by skopeo is readable by OciLayout (image-spec image-layout.md interoperability).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { OciLayout } from '../../../src/store/layout.js';
import { collectGarbage } from '../../../src/store/gc.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { OCI } from '../../../src/image/media-types.js';
import { saveImage } from '../../../src/image/save.js';
import type { Descriptor, ImageConfig } from '../../../src/image/types.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';

const run = promisify(execFile);
const REF = 'docker.io/library/hello:latest';

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  for (const [name, content] of Object.entries(files)) {
    tar.entry({ name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 }, content);
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Writes a one-layer image with the image and store APIs and tags it. */
async function writeImage(layout: OciLayout): Promise<Descriptor> {
  const tar = await tarOf({ 'hello.txt': 'hello from oci-kit\n', 'etc/os-release': 'ID=test\n' });
  const gz = gzipSync(tar);
  const layer = await layout.put(gz, { digest: digestOf(gz), size: gz.length });
  const config: ImageConfig = {
    created: '1970-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/hello'], Env: ['PATH=/usr/bin'] },
    rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'interop test' }],
  };
  const { descriptor } = await saveImage(layout, { config, layers: [{ mediaType: OCI.layerGzip, ...layer }] });
  await layout.setTag(REF, descriptor);
  return descriptor;
}

test('umoci stat/unpack and skopeo inspect accept an image written with the store API', async (t) => {
  const umoci = requireTool('umoci');
  const skopeo = requireTool('skopeo');
  const base = await tempDir(t);
  const store = join(base, 'store');
  const layout = await OciLayout.open(store, { create: true });
  const descriptor = await writeImage(layout);
  // Leave a stray blob so the layout also carries garbage and our private directory while the tools read it.
  await layout.put('stray');

  const stat = await run(umoci, ['stat', '--json', '--image', `${store}:${REF}`]);
  const statJson = JSON.parse(stat.stdout) as { history: Array<{ created_by?: string }> };
  assert.equal(statJson.history[0]?.created_by, 'interop test');

  const inspect = await run(skopeo, ['inspect', `oci:${store}:${REF}`]);
  const info = JSON.parse(inspect.stdout) as { Digest: string; Architecture: string; Os: string; Layers: string[] };
  assert.equal(info.Digest, descriptor.digest);
  assert.equal(info.Architecture, 'amd64');
  assert.equal(info.Os, 'linux');
  assert.equal(info.Layers.length, 1);

  const bundle = join(base, 'bundle');
  await run(umoci, ['unpack', '--rootless', '--image', `${store}:${REF}`, bundle]);
  assert.equal(await readFile(join(bundle, 'rootfs', 'hello.txt'), 'utf8'), 'hello from oci-kit\n');

  // skopeo copies the image out of our layout into a fresh one and verifies every blob on the way.
  const copy = join(base, 'copy');
  await run(skopeo, ['copy', '--quiet', `oci:${store}:${REF}`, `oci:${copy}:copied`]);
  assert.ok((await readFile(join(copy, 'index.json'), 'utf8')).includes('copied'));

  // umoci's own garbage collector tolerates our private directory and keeps the tagged image.
  await run(umoci, ['gc', '--layout', store]);
  const reopened = await OciLayout.open(store);
  assert.deepEqual(await reopened.resolveTag(REF), descriptor);
  assert.equal(await reopened.has(digestOf('stray')), false);
});

test('OciLayout reads and tags into a layout that skopeo wrote, and umoci still reads it after our gc', async (t) => {
  const umoci = requireTool('umoci');
  const skopeo = requireTool('skopeo');
  const base = await tempDir(t);
  const source = await OciLayout.open(join(base, 'source'), { create: true });
  await writeImage(source);
  const theirs = join(base, 'theirs');
  await run(skopeo, ['copy', '--quiet', `oci:${source.path}:${REF}`, `oci:${theirs}:v1`]);

  const layout = await OciLayout.open(theirs);
  const tags = await layout.listTags();
  assert.deepEqual(tags.map((x) => x.name), ['v1']);
  await layout.setTag('docker.io/library/retagged:2', tags[0]!.descriptor);
  await layout.put('garbage for gc');
  const result = await collectGarbage(layout);
  assert.equal(result.count, 1);

  for (const ref of ['v1', 'docker.io/library/retagged:2']) {
    const stat = await run(umoci, ['stat', '--json', '--image', `${theirs}:${ref}`]);
    assert.ok(JSON.parse(stat.stdout).history);
    await run(skopeo, ['inspect', `oci:${theirs}:${ref}`]);
  }
});
