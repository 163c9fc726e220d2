// The legacy (Docker 1.10-24) archive the tests build by hand is one skopeo reads too, so the
// fixture is faithful; oci-kit loads it. And a save -> load round trip between two on-disk stores
// keeps the manifest digest that skopeo reports for the saved archive's image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadArchive } from '../../../src/archive/load.js';
import { saveArchive } from '../../../src/archive/save.js';
import { OciLayout } from '../../../src/store/layout.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { legacyArchive, makeImage, storeImage } from '../../unit/archive/fixtures.js';

const run = promisify(execFile);

test('the hand-built legacy archive is read by skopeo and loaded by oci-kit with the same config', async (t) => {
  const skopeo = requireTool('skopeo');
  const dir = await tempDir(t);
  const image = await makeImage(['legacy one', 'legacy two']);
  const path = join(dir, 'legacy.tar');
  await writeFile(path, await legacyArchive(image, ['legacy:7']));
  const config = JSON.parse((await run(skopeo, ['inspect', '--config', `docker-archive:${path}`])).stdout) as { rootfs: { diff_ids: string[] } };
  assert.deepEqual(config.rootfs.diff_ids, image.config.rootfs.diff_ids);
  const store = await OciLayout.open(join(dir, 'store'), { create: true });
  const result = await loadArchive(createReadStream(path), store);
  assert.deepEqual(result.images[0]!.tags, ['docker.io/library/legacy:7']);
  const manifest = JSON.parse((await store.get(result.images[0]!.descriptor.digest)).toString()) as { config: { digest: string } };
  assert.equal(manifest.config.digest, image.configDescriptor.digest);
});

test('save -> load between on-disk stores keeps the manifest digest, as skopeo sees it too', async (t) => {
  const skopeo = requireTool('skopeo');
  const dir = await tempDir(t);
  const source = await OciLayout.open(join(dir, 'a'), { create: true });
  const image = await makeImage(['round', 'trip']);
  await storeImage(source, image, 'docker.io/library/trip:1');
  const path = join(dir, 'trip.tar');
  await saveArchive(source, ['trip:1'], path, { format: 'oci' });
  const raw = (await run(skopeo, ['inspect', '--raw', `oci-archive:${path}:docker.io/library/trip:1`])).stdout;
  assert.equal(raw, image.manifestBytes.toString());
  const target = await OciLayout.open(join(dir, 'b'), { create: true });
  const result = await loadArchive(createReadStream(path), target);
  assert.equal(result.images[0]!.descriptor.digest, image.descriptor.digest);
  assert.equal((await target.resolveTag('docker.io/library/trip:1'))?.digest, image.descriptor.digest);
});
