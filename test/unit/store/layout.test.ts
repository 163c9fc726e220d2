import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OciLayout } from '../../../src/store/layout.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { tempDir } from '../../helpers/tmp.js';
import { storeContract } from './contract.js';

storeContract('OciLayout', async (t) => OciLayout.open(join(await tempDir(t), 'layout'), { create: true }));

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const code = (expected: string) => (err: unknown) => {
  assert.equal((err as { code?: string }).code, expected, String(err));
  return true;
};

async function readIndex(dir: string): Promise<{ schemaVersion: number; mediaType?: string; manifests: Array<Record<string, unknown>> }> {
  return JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
}

test('create writes oci-layout and an empty index.json (image-layout.md)', async (t) => {
  const dir = join(await tempDir(t), 'new', 'store');
  const layout = await OciLayout.open(dir, { create: true });
  assert.equal(layout.path, dir);
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  assert.deepEqual(await readIndex(dir), { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
  assert.ok((await stat(join(dir, 'blobs', 'sha256'))).isDirectory());
  // Opening again (with or without create) keeps what is there.
  const info = await layout.put('x');
  await (await OciLayout.open(dir, { create: true })).setTag('docker.io/library/x:1', { mediaType: MANIFEST, ...info });
  assert.equal((await (await OciLayout.open(dir)).listTags()).length, 1);
});

test('opening something that is not a layout fails clearly', async (t) => {
  const base = await tempDir(t);
  await assert.rejects(OciLayout.open(join(base, 'missing')), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_NOT_OCI_LAYOUT');
    assert.match(err.message, /does not exist/);
    return true;
  });
  await mkdir(join(base, 'plain'));
  await writeFile(join(base, 'plain', 'notes.txt'), 'hi');
  await assert.rejects(OciLayout.open(join(base, 'plain')), /has no "oci-layout" file/);
  await assert.rejects(OciLayout.open(join(base, 'plain'), { create: true }), code('ERR_NOT_OCI_LAYOUT'));
  assert.deepEqual(await readdir(join(base, 'plain')), ['notes.txt']);
  await assert.rejects(OciLayout.open(join(base, 'plain', 'notes.txt')), code('ERR_NOT_OCI_LAYOUT'));
});

test('a damaged oci-layout or index.json is ERR_INVALID_LAYOUT naming the file', async (t) => {
  const dir = await tempDir(t);
  await OciLayout.open(dir, { create: true });
  await writeFile(join(dir, 'index.json'), '{"schemaVersion": 2, "manif');
  await assert.rejects(OciLayout.open(dir), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_INVALID_LAYOUT');
    assert.match(err.message, /index\.json is not valid JSON/);
    return true;
  });
  await writeFile(join(dir, 'index.json'), '{"schemaVersion": 2, "manifests": [{"digest": "sha256:00"}]}');
  await assert.rejects(OciLayout.open(dir), /entry 0/);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion": "2.0.0"}');
  await assert.rejects(OciLayout.open(dir), /version 2\.0\.0/);
});

test('blobs live at blobs/<alg>/<hex>', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const { digest } = await layout.put('layout blob');
  assert.equal(await readFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'utf8'), 'layout blob');
  const big = digestOf('five-twelve', 'sha512');
  await layout.put('five-twelve', { digest: big });
  assert.equal(await readFile(join(dir, 'blobs', 'sha512', big.slice(7)), 'utf8'), 'five-twelve');
});

test('a failed or mismatched put leaves no file anywhere in the layout', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  await assert.rejects(layout.put('abc', { digest: digestOf('abd') }), code('ERR_DIGEST_MISMATCH'));
  await assert.rejects(layout.put('abc', { size: 2 }), code('ERR_SIZE_MISMATCH'));
  assert.deepEqual(await readdir(join(dir, '.oci-kit', 'tmp')), []);
  assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), []);
});

test('tags are index.json entries with ref.name and io.containerd.image.name', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const info = await layout.put('{"m":1}');
  await layout.setTag('docker.io/library/hello:latest', { mediaType: MANIFEST, ...info, annotations: { 'org.example': 'x' } });
  const index = await readIndex(dir);
  assert.deepEqual(index.manifests, [
    {
      mediaType: MANIFEST,
      digest: info.digest,
      size: info.size,
      annotations: {
        'org.example': 'x',
        'org.opencontainers.image.ref.name': 'docker.io/library/hello:latest',
        'io.containerd.image.name': 'docker.io/library/hello:latest',
      },
    },
  ]);
  assert.deepEqual(await layout.resolveTag('docker.io/library/hello:latest'), {
    mediaType: MANIFEST,
    ...info,
    annotations: { 'org.example': 'x' },
  });
});

test('untagged entries and entries written by other tools are preserved', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const a = await layout.put('{"a":1}');
  const b = await layout.put('{"b":1}');
  const untagged = { mediaType: MANIFEST, ...a, platform: { architecture: 'arm64', os: 'linux' }, 'x-extra': true };
  const foreign = { mediaType: MANIFEST, ...b, annotations: { 'org.opencontainers.image.ref.name': 'v1' } };
  const initial = { schemaVersion: 2, manifests: [untagged, foreign], annotations: { 'org.example.top': 'kept' } };
  await writeFile(join(dir, 'index.json'), JSON.stringify(initial));
  assert.deepEqual(await layout.listTags(), [{ name: 'v1', descriptor: { mediaType: MANIFEST, ...b } }]);
  await layout.setTag('docker.io/library/new:1', { mediaType: MANIFEST, ...a });
  await layout.setTag('v1', { mediaType: MANIFEST, ...a });
  await layout.removeTag('docker.io/library/new:1');
  const index = await readIndex(dir);
  assert.deepEqual((index as unknown as { annotations: unknown }).annotations, { 'org.example.top': 'kept' });
  assert.equal(index.manifests.length, 2);
  assert.deepEqual(index.manifests[0], untagged);
  assert.equal(index.manifests[1]!.digest, a.digest);
});

test('replacing a tag keeps its position in index.json and leaves one entry', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const [a, b, c] = [await layout.put('a'), await layout.put('b'), await layout.put('c')];
  await layout.setTag('docker.io/library/t:1', { mediaType: MANIFEST, ...a });
  await layout.setTag('docker.io/library/t:2', { mediaType: MANIFEST, ...b });
  await layout.setTag('docker.io/library/t:1', { mediaType: MANIFEST, ...c });
  const names = (await layout.listTags()).map((x) => [x.name, x.descriptor.digest]);
  assert.deepEqual(names, [
    ['docker.io/library/t:1', c.digest],
    ['docker.io/library/t:2', b.digest],
  ]);
});

test('a write waits for the lock and fails with ERR_STORE_LOCKED when a live process keeps it', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true, lockTimeoutMs: 30 });
  const info = await layout.put('{"locked":1}');
  // This very process is alive, so a lock naming it is not stale.
  await writeFile(join(dir, '.oci-kit', 'index.lock'), `${process.pid} ${(await import('node:os')).hostname()} now\n`);
  await assert.rejects(layout.setTag('docker.io/library/l:1', { mediaType: MANIFEST, ...info }), code('ERR_STORE_LOCKED'));
  assert.deepEqual(await layout.listTags(), []);
});

test('removeStaleTemporaryFiles removes files of dead writers and keeps live ones', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const tmp = join(dir, '.oci-kit', 'tmp');
  const { spawnSync } = await import('node:child_process');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  await writeFile(join(tmp, `blob-${dead}-0123456789ab`), 'abandoned');
  await writeFile(join(tmp, `blob-${process.pid}-0123456789ab`), 'in progress');
  await writeFile(join(tmp, 'garbage-name'), 'xx');
  assert.deepEqual(await layout.removeStaleTemporaryFiles(), { count: 2, bytes: 'abandoned'.length + 2 });
  assert.deepEqual(await readdir(tmp), [`blob-${process.pid}-0123456789ab`]);
});

test('a layout without the private .oci-kit directory (written by another tool) can be tagged into', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const info = await layout.put('{"other":1}');
  await rm(join(dir, '.oci-kit'), { recursive: true });
  await layout.setTag('docker.io/library/other:1', { mediaType: MANIFEST, ...info });
  assert.equal((await layout.listTags()).length, 1);
  await rm(join(dir, '.oci-kit'), { recursive: true });
  await layout.put('more');
});
