// The image model against the reference tools: images made by umoci load through loadImage and pass
// our strict parsers, and our OCI <-> Docker conversion gives the same manifests skopeo's does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { OciLayout } from '../../../src/store/layout.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { loadImage } from '../../../src/image/load.js';
import { saveImage } from '../../../src/image/save.js';
import { appendLayer, createConfig, parseImageConfig } from '../../../src/image/config.js';
import { parseManifest } from '../../../src/image/manifest.js';
import { toDockerManifest, toOciManifest } from '../../../src/image/convert.js';
import { OCI } from '../../../src/image/media-types.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';

const run = promisify(execFile);
const REF = 'docker.io/library/interop:latest';

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk: unknown) => void chunks.push(chunk as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  for (const [name, content] of Object.entries(files)) tar.entry({ name, mode: 0o644, mtime: new Date(0) }, content);
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

test('an image built by umoci loads through loadImage by its familiar name', async (t) => {
  const umoci = requireTool('umoci');
  const dir = await tempDir(t);
  const layoutDir = join(dir, 'layout');
  const image = `${layoutDir}:${REF}`;
  await run(umoci, ['init', '--layout', layoutDir]);
  await run(umoci, ['new', '--image', image]);
  await run(umoci, ['config', '--image', image, '--config.cmd=/bin/true', '--config.env=A=1', '--config.label=org.example=yes', '--config.exposedports=8080/tcp']);
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src', 'hello'), 'hi\n');
  await run(umoci, ['insert', '--rootless', '--image', image, join(dir, 'src'), '/etc']);

  const layout = await OciLayout.open(layoutDir);
  const loaded = await loadImage(layout, 'interop');
  assert.equal(loaded.name, REF);
  assert.deepEqual(loaded.config.config?.Cmd, ['/bin/true']);
  assert.ok(loaded.config.config?.Env?.includes('A=1'));
  assert.deepEqual(loaded.config.config?.Labels, { 'org.example': 'yes' });
  assert.deepEqual(loaded.config.config?.ExposedPorts, { '8080/tcp': {} });
  assert.equal(loaded.manifest.layers.length, 1);
  assert.equal(loaded.config.rootfs.diff_ids.length, 1);
  assert.equal(loaded.manifest.layers[0]?.mediaType, OCI.layerGzip);
});

test('toDockerManifest and toOciManifest agree with skopeo copy --format v2s2 / oci', async (t) => {
  const skopeo = requireTool('skopeo');
  const dir = await tempDir(t);
  const layoutDir = join(dir, 'layout');
  const layout = await OciLayout.open(layoutDir, { create: true });
  const tar = await tarOf({ 'hello.txt': 'hello\n' });
  const gz = gzipSync(tar);
  const info = await layout.put(gz);
  const config = appendLayer(createConfig({ platform: 'linux/amd64', created: '2024-01-01T00:00:00Z', config: { Cmd: ['/hello'] } }), {
    diffId: digestOf(tar),
    history: { created: '2024-01-01T00:00:00Z', created_by: 'interop' },
  });
  const saved = await saveImage(layout, { config, layers: [{ mediaType: OCI.layerGzip, ...info }] });
  await layout.setTag(REF, saved.descriptor);

  const dockerDir = join(dir, 'docker');
  await run(skopeo, ['copy', '--quiet', '--format', 'v2s2', `oci:${layoutDir}:${REF}`, `dir:${dockerDir}`]);
  const theirs = parseManifest(await readFile(join(dockerDir, 'manifest.json')));
  assert.deepEqual(theirs, toDockerManifest(saved.manifest));
  const theirConfig = parseImageConfig(await readFile(join(dockerDir, theirs.config.digest.slice('sha256:'.length))));
  assert.deepEqual(theirConfig.rootfs, saved.config.rootfs);

  const backDir = join(dir, 'back');
  await run(skopeo, ['copy', '--quiet', '--format', 'oci', `dir:${dockerDir}`, `oci:${backDir}:x`]);
  const back = await OciLayout.open(backDir);
  const backDescriptor = await back.resolveTag('x');
  assert.ok(backDescriptor);
  const backManifest = parseManifest(await back.get(backDescriptor.digest));
  assert.deepEqual(backManifest, toOciManifest(theirs));
});
