// Our layers against the reference tools: `umoci unpack` and GNU tar accept what createLayer
// writes (same tree back), and layers that GNU tar and `umoci repack` make (with whiteouts and
// opaque directories) are applied by extractLayers exactly as `umoci unpack` applies them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync, chmodSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OciLayout } from '../../../src/store/layout.js';
import { saveImage } from '../../../src/image/save.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../../../src/image/types.js';
import { OCI } from '../../../src/image/media-types.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { createLayer } from '../../../src/layer/create.js';
import { extractLayers } from '../../../src/layer/extract.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { canMknod, describeTree, makeFixtureTree, userXattrsSupported, type Described } from '../../unit/layer/fixtures.js';

const run = promisify(execFile);

async function saveTagged(layout: OciLayout, ref: string, layers: { descriptor: Descriptor; diffId: `${string}:${string}` }[]): Promise<void> {
  const config: ImageConfig = {
    created: '1970-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: '1970-01-01T00:00:00Z', created_by: 'layer interop' })),
  };
  const { descriptor } = await saveImage(layout, { config, layers: layers.map((l) => l.descriptor) });
  await layout.setTag(ref, descriptor);
}

function assertSameTree(got: Map<string, Described>, want: Map<string, Described>, what: string, ignore: (path: string, d: Described) => Partial<Described> = () => ({})): void {
  assert.deepEqual([...got.keys()], [...want.keys()], `${what}: paths`);
  for (const [path, d] of want) {
    const g = got.get(path);
    assert.deepEqual({ ...g, ...ignore(path, d) }, { ...d, ...ignore(path, d) }, `${what}: ${path}`);
  }
}

test('umoci unpack and GNU tar accept our gzip and zstd layers and give back the same tree', async (t) => {
  const umoci = requireTool('umoci');
  const tar = requireTool('tar');
  const zstd = requireTool('zstd');
  const base = await tempDir(t);
  const src = join(base, 'src');
  mkdirSync(src);
  makeFixtureTree(src, { xattrs: userXattrsSupported(base), devices: canMknod(base) });
  const want = describeTree(src);
  const layout = await OciLayout.open(join(base, 'layout'), { create: true });
  for (const compression of ['gzip', 'zstd'] as const) {
    const layer = await createLayer({ dir: src }, { store: layout, compression });
    const ref = `localhost/layer-interop:${compression}`;
    await saveTagged(layout, ref, [layer]);
    if (compression === 'gzip') {
      // The umoci of Debian 12 (0.4.7) predates zstd layers: it is checked with gzip only.
      const bundle = join(base, `bundle-${compression}`);
      await run(umoci, ['unpack', '--image', `${layout.path}:${ref}`, bundle]);
      assertSameTree(describeTree(join(bundle, 'rootfs')), want, `umoci ${compression}`);
    }

    // GNU tar lists every member and extracts the same tree.
    const blob = readFileSync(join(layout.path, 'blobs', 'sha256', layer.descriptor.digest.slice(7)));
    const plain = join(base, `layer-${compression}.tar`);
    if (compression === 'gzip') writeFileSync(plain, gunzipSync(blob));
    else await run(zstd, ['-q', '-d', '-o', plain, join(layout.path, 'blobs', 'sha256', layer.descriptor.digest.slice(7))]);
    const listing = (await run(tar, ['-tvf', plain], { maxBuffer: 1 << 24 })).stdout;
    assert.match(listing, /héllo wörld\/日本語\.txt/);
    assert.match(listing, new RegExp(`${'f'.repeat(78)}`));
    assert.match(listing, /bin\/hardlinked link to etc\/config|etc\/config link to bin\/hardlinked/);
    const out = join(base, `gnutar-${compression}`);
    mkdirSync(out);
    await run(tar, ['-xpf', plain, '-C', out, '--numeric-owner', '--xattrs', '--xattrs-include=*']);
    assertSameTree(describeTree(out), want, `GNU tar ${compression}`);
  }
});

/** A lower tree, then changes made the way a container would (deletes, opaque refill, type changes). */
function lowerTree(root: string): void {
  for (const d of ['etc/app', 'var/cache/pkg', 'opt/tool/lib', 'usr/bin']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'etc/app/a.conf'), 'a');
  writeFileSync(join(root, 'etc/app/b.conf'), 'b');
  writeFileSync(join(root, 'var/cache/pkg/one'), '1');
  writeFileSync(join(root, 'var/cache/pkg/two'), '2');
  writeFileSync(join(root, 'opt/tool/lib/x.so'), 'x');
  writeFileSync(join(root, 'usr/bin/tool'), '#!/bin/sh\n');
  chmodSync(join(root, 'usr/bin/tool'), 0o755);
  symlinkSync('tool', join(root, 'usr/bin/alias'));
}

test('layers made by GNU tar with whiteouts and by umoci repack are applied exactly as umoci applies them', async (t) => {
  const umoci = requireTool('umoci');
  const tar = requireTool('tar');
  const base = await tempDir(t);
  const lower = join(base, 'lower');
  const upper = join(base, 'upper');
  lowerTree(lower);
  // The upper layer as files on disk, AUFS-style: whiteouts and an opaque marker are plain files.
  mkdirSync(join(upper, 'etc/app'), { recursive: true });
  writeFileSync(join(upper, 'etc/app/.wh.a.conf'), '');
  writeFileSync(join(upper, 'etc/app/c.conf'), 'c');
  mkdirSync(join(upper, 'var/cache/pkg'), { recursive: true });
  writeFileSync(join(upper, 'var/cache/pkg/.wh..wh..opq'), '');
  writeFileSync(join(upper, 'var/cache/pkg/three'), '3');
  writeFileSync(join(upper, '.wh.opt'), '');
  mkdirSync(join(upper, 'usr/bin'), { recursive: true });
  writeFileSync(join(upper, 'usr/bin/alias'), 'no longer a link');
  symlinkSync('../etc/app', join(upper, 'usr/bin/tool'));
  for (const dir of [lower, upper]) utimesSync(dir, 1_600_000_000, 1_600_000_000);

  const layout = await OciLayout.open(join(base, 'layout'), { create: true });
  const layers = [];
  for (const dir of [lower, upper]) {
    const { stdout } = await run(tar, ['-C', dir, '-cf', '-', '.'], { encoding: 'buffer', maxBuffer: 1 << 26 });
    const r = await createLayer({ tar: (async function* () { yield stdout as Buffer; })() }, { store: layout, compression: 'gzip' });
    assert.equal(r.diffId, digestOf(stdout as Buffer));
    layers.push(r);
  }
  const ref = 'localhost/whiteouts:gnu';
  await saveTagged(layout, ref, layers);
  const bundle = join(base, 'bundle');
  await run(umoci, ['unpack', '--image', `${layout.path}:${ref}`, bundle]);
  const ours = join(base, 'ours');
  await extractLayers(layout, layers.map((l) => l.descriptor), ours);
  const theirs = describeTree(join(bundle, 'rootfs'));
  assertSameTree(describeTree(ours), theirs, 'GNU tar layers');
  assert.equal(theirs.has('opt'), false);
  assert.deepEqual([...theirs.keys()].filter((p) => p.startsWith('var/cache/pkg/')), ['var/cache/pkg/three']);

  // umoci repack: change the unpacked rootfs, let umoci write the diff layer, apply it with ours.
  const rootfs = join(bundle, 'rootfs');
  rmSync(join(rootfs, 'etc/app'), { recursive: true });
  writeFileSync(join(rootfs, 'etc/new-file'), 'n');
  unlinkSync(join(rootfs, 'usr/bin/alias'));
  mkdirSync(join(rootfs, 'usr/bin/alias'));
  writeFileSync(join(rootfs, 'usr/bin/alias/inside'), 'i');
  await run(umoci, ['repack', '--image', `${layout.path}:repacked`, bundle]);
  const tagged = await layout.resolveTag('repacked');
  assert.ok(tagged, 'umoci repack tagged the image');
  const manifest = JSON.parse((await layout.get(tagged.digest)).toString('utf8')) as ImageManifest;
  assert.equal(manifest.layers.length, 3);
  assert.equal(manifest.layers[2]?.mediaType, OCI.layerGzip);
  const ours2 = join(base, 'ours2');
  await extractLayers(layout, manifest.layers, ours2);
  const bundle2 = join(base, 'bundle2');
  await run(umoci, ['unpack', '--image', `${layout.path}:repacked`, bundle2]);
  assertSameTree(describeTree(ours2), describeTree(join(bundle2, 'rootfs')), 'umoci repack layers');
  assert.equal(readFileSync(join(ours2, 'usr/bin/alias/inside'), 'utf8'), 'i');
});
