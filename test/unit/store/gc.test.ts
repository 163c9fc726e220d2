import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Digest } from '../../../src/digest/digest.js';
import { collectGarbage } from '../../../src/store/gc.js';
import { OciLayout } from '../../../src/store/layout.js';
import { MemoryStore } from '../../../src/store/memory.js';
import type { ImageStore } from '../../../src/store/blob-store.js';
import type { Descriptor } from '../../../src/image/types.js';
import { OCI, DOCKER } from '../../../src/image/media-types.js';
import { tempDir } from '../../helpers/tmp.js';

async function blob(store: ImageStore, content: string | object, mediaType: string): Promise<Descriptor> {
  const info = await store.put(typeof content === 'string' ? content : JSON.stringify(content));
  return { mediaType, ...info };
}

/** An image: config + n layers + manifest; returns every descriptor. */
async function image(store: ImageStore, seed: string, layers = 2) {
  const config = await blob(store, { architecture: 'amd64', os: 'linux', seed, rootfs: { type: 'layers', diff_ids: [] } }, OCI.config);
  const layerDescriptors: Descriptor[] = [];
  for (let i = 0; i < layers; i++) layerDescriptors.push(await blob(store, `${seed} layer ${i}`, OCI.layerGzip));
  const manifest = await blob(store, { schemaVersion: 2, mediaType: OCI.manifest, config, layers: layerDescriptors }, OCI.manifest);
  return { manifest, config, layers: layerDescriptors, all: [manifest, config, ...layerDescriptors] };
}

async function digests(store: ImageStore): Promise<string[]> {
  const out: string[] = [];
  for await (const d of store.list()) out.push(d);
  return out.sort();
}

test('gc keeps tagged images and deletes unreferenced blobs (layout)', async (t) => {
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  const kept = await image(layout, 'kept');
  const dropped = await image(layout, 'dropped');
  const shared = await blob(layout, 'shared layer', OCI.layerGzip);
  const withShared = await blob(layout, { schemaVersion: 2, config: kept.config, layers: [shared] }, OCI.manifest);
  const stray = await blob(layout, 'stray', 'application/octet-stream');
  await layout.setTag('docker.io/library/kept:1', kept.manifest);
  await layout.setTag('docker.io/library/shared:1', withShared);
  await layout.setTag('docker.io/library/dropped:1', dropped.manifest);
  await layout.removeTag('docker.io/library/dropped:1');

  const result = await collectGarbage(layout);
  const freed = [...dropped.all, stray];
  assert.equal(result.count, freed.length);
  assert.equal(result.bytes, freed.reduce((sum, d) => sum + d.size, 0));
  assert.deepEqual([...result.digests].sort(), freed.map((d) => d.digest).sort());
  const left = [...kept.all, shared, withShared].map((d) => d.digest).sort();
  assert.equal(result.kept, left.length);
  assert.deepEqual(await digests(layout), left);
  // A second run finds nothing.
  assert.equal((await collectGarbage(layout)).count, 0);
});

test('gc follows image indexes and manifest lists down to layers', async (t) => {
  const store = new MemoryStore();
  const amd = await image(store, 'amd');
  const arm = await image(store, 'arm');
  const list = await blob(store, { schemaVersion: 2, mediaType: DOCKER.manifestList, manifests: [{ ...amd.manifest, mediaType: DOCKER.manifest }] }, DOCKER.manifestList);
  const index = await blob(store, { schemaVersion: 2, manifests: [arm.manifest, list] }, OCI.index);
  await store.setTag('docker.io/library/multi:1', index);
  const result = await collectGarbage(store);
  assert.equal(result.count, 0);
  assert.equal(result.kept, amd.all.length + arm.all.length + 2);
  await store.removeTag('docker.io/library/multi:1');
  assert.equal((await collectGarbage(store)).count, amd.all.length + arm.all.length + 2);
  assert.deepEqual(await digests(store), []);
});

test('untagged index.json entries are roots', async (t) => {
  const dir = await tempDir(t);
  const layout = await OciLayout.open(dir, { create: true });
  const img = await image(layout, 'untagged');
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [img.manifest] }));
  assert.equal((await collectGarbage(layout)).count, 0);
  assert.equal((await digests(layout)).length, img.all.length);
});

test('subjects of kept manifests and referrers of kept manifests are kept', async (t) => {
  const store = new MemoryStore();
  const img = await image(store, 'signed');
  const emptyConfig = await blob(store, '{}', OCI.empty);
  const signatureLayer = await blob(store, 'signature bytes', 'application/vnd.example.signature');
  // A referrer (image-spec 1.1): an artifact manifest whose subject is the image; nothing tags it.
  const referrer = await blob(store, { schemaVersion: 2, mediaType: OCI.manifest, artifactType: 'application/vnd.example.sig', config: emptyConfig, layers: [signatureLayer], subject: img.manifest }, OCI.manifest);
  const orphanReferrer = await blob(store, { schemaVersion: 2, config: emptyConfig, layers: [], subject: { mediaType: OCI.manifest, digest: (await blob(store, 'gone', 'x')).digest, size: 4 } }, OCI.manifest);
  await store.setTag('docker.io/library/signed:1', img.manifest);
  const result = await collectGarbage(store);
  const survivors = await digests(store);
  for (const d of [...img.all, referrer, emptyConfig, signatureLayer]) assert.ok(survivors.includes(d.digest), `${d.mediaType} kept`);
  assert.ok(result.digests.includes(orphanReferrer.digest));

  // Tagging only the referrer keeps its subject through the `subject` link.
  await store.removeTag('docker.io/library/signed:1');
  await store.setTag('docker.io/library/sig:1', referrer);
  await collectGarbage(store);
  const after = await digests(store);
  for (const d of [...img.all, referrer]) assert.ok(after.includes(d.digest));
});

test('a rooted manifest that is not JSON stops gc before anything is deleted', async (t) => {
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  const broken = await blob(layout, 'not json', OCI.manifest);
  const stray = await blob(layout, 'stray', OCI.layerGzip);
  await layout.setTag('docker.io/library/broken:1', broken);
  await assert.rejects(collectGarbage(layout), /nothing was deleted/);
  assert.equal(await layout.has(stray.digest), true);
});

test('dryRun reports without deleting; minAgeMs spares fresh blobs', async (t) => {
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  const fresh = await blob(layout, 'fresh', OCI.layerGzip);
  const old = await blob(layout, 'old', OCI.layerGzip);
  const past = new Date(Date.now() - 3600_000);
  await utimes(join(layout.path, 'blobs', 'sha256', old.digest.slice(7)), past, past);
  const dry = await collectGarbage(layout, { dryRun: true });
  assert.equal(dry.count, 2);
  assert.equal((await digests(layout)).length, 2);
  const result = await collectGarbage(layout, { minAgeMs: 600_000 });
  assert.deepEqual(result.digests, [old.digest]);
  assert.deepEqual(await digests(layout), [fresh.digest]);
});

test('gc removes temporary files of dead writers', async (t) => {
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const tmp = join(layout.path, '.oci-kit', 'tmp');
  await writeFile(join(tmp, `blob-${dead}-aaaaaaaaaaaa`), '12345');
  const result = await collectGarbage(layout);
  assert.deepEqual(result.temporaryFiles, { count: 1, bytes: 5 });
  assert.equal(result.bytes, 5);
  assert.deepEqual(await readdir(tmp), []);
});

test('gc racing setTag never leaves a tag pointing at a deleted blob', async (t) => {
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  for (let i = 0; i < 10; i++) {
    const manifest = await blob(layout, { schemaVersion: 2, config: { mediaType: OCI.config, digest: (await blob(layout, `c${i}`, OCI.config)).digest, size: 2 }, layers: [] }, OCI.manifest);
    const name = `docker.io/library/race:${i}`;
    const [, tagged] = await Promise.allSettled([collectGarbage(layout), layout.setTag(name, manifest)]);
    const resolved = await layout.resolveTag(name);
    if (tagged.status === 'fulfilled') {
      assert.deepEqual(resolved, manifest);
      assert.equal(await layout.has(manifest.digest), true);
    } else {
      assert.equal((tagged.reason as { code?: string }).code, 'ERR_BLOB_NOT_FOUND');
      assert.equal(resolved, undefined);
    }
  }
});

const LEASE_WRITER = fileURLToPath(new URL('./fixtures/lease-writer.ts', import.meta.url));

/** Ages blobs by an hour, as if they had been written long before any current lease. */
async function age(layout: OciLayout, descriptors: Descriptor[]): Promise<void> {
  const past = new Date(Date.now() - 3600_000);
  for (const d of descriptors) await utimes(join(layout.path, 'blobs', 'sha256', d.digest.slice('sha256:'.length)), past, past);
}

test('a running writer in another process keeps its untagged blobs; once it is done gc frees them', async (t) => {
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  const removed = await image(layout, 'removed');
  await age(layout, removed.all);
  const child = spawn(process.execPath, ['--import', 'tsx', LEASE_WRITER, 'hold', layout.path, '3'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Lets the writer finish even when an assertion fails first.
  t.after(() => child.stdin!.end());
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const written = JSON.parse(line) as string[];

  const during = await collectGarbage(layout);
  // Blobs of a removed image written before the writer started are still freed at once.
  assert.deepEqual(during.digests.sort(), removed.all.map((d) => d.digest).sort());
  assert.equal(during.spared, 3);
  assert.deepEqual(during.leases, { live: 1, stale: 0 });
  for (const d of written) assert.equal(await layout.has(d as Digest), true);

  child.stdin!.end();
  assert.equal(await exited, 0);
  const after = await collectGarbage(layout);
  assert.deepEqual(after.digests.sort(), [...written].sort());
  assert.deepEqual(after.leases, { live: 0, stale: 0 });
});

test('a second layout instance with a live lease keeps its blobs until it is closed; explicit leases too', async (t) => {
  const dir = await tempDir(t);
  const writer = await OciLayout.open(dir, { create: true });
  const collector = await OciLayout.open(dir);
  const stray = await writer.put('written, not tagged yet');
  assert.equal((await collectGarbage(collector)).count, 0);
  assert.equal(await collector.has(stray.digest), true);
  // The instance's own write lease does not hold back gc run through that instance.
  assert.equal((await collectGarbage(writer, { dryRun: true })).count, 1);
  await writer.close();
  assert.deepEqual((await collectGarbage(collector)).digests, [stray.digest]);

  const lease = await collector.lease();
  const held = await writer.put('under an explicit lease');
  await writer.close();
  assert.equal((await collectGarbage(collector)).spared, 1);
  await lease.release();
  await lease.release();
  assert.deepEqual((await collectGarbage(collector)).digests, [held.digest]);
  assert.deepEqual(await readdir(join(dir, '.oci-kit', 'leases')), []);
});

test('leases of dead processes are ignored and removed (kept in a dry run)', async (t) => {
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  const stray = await layout.put('stray');
  await layout.close();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const leases = join(layout.path, '.oci-kit', 'leases');
  await writeFile(join(leases, `lease-${dead}-aaaaaaaaaaaa`), `${dead} ${hostname()} 2020-01-01T00:00:00.000Z\n`);
  const dry = await collectGarbage(layout, { dryRun: true });
  assert.deepEqual(dry.leases, { live: 0, stale: 1 });
  assert.deepEqual(dry.digests, [stray.digest]);
  assert.equal((await readdir(leases)).length, 1);
  const result = await collectGarbage(layout);
  assert.deepEqual(result.digests, [stray.digest]);
  assert.deepEqual(result.leases, { live: 0, stale: 1 });
  assert.deepEqual(await readdir(leases), []);
});

test('a pulling process racing repeated gc never fails and never leaves a tag with missing blobs', async (t) => {
  const layout = await OciLayout.open(await tempDir(t), { create: true });
  const child = spawn(process.execPath, ['--import', 'tsx', LEASE_WRITER, 'pull', layout.path, 'pulled', '6'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  let running = true;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => ((running = false), resolve(code))));
  let runs = 0;
  while (running) {
    await collectGarbage(layout);
    runs++;
    // Leaves the lock free for a moment so the writer's setTag gets its turn.
    await sleep(10);
  }
  assert.equal(await exited, 0, stderr);
  assert.ok(runs > 0);
  const tags = await layout.listTags();
  assert.equal(tags.length, 6);
  for (const tag of tags) {
    const manifest = JSON.parse((await layout.get(tag.descriptor.digest)).toString()) as { config: Descriptor; layers: Descriptor[] };
    for (const d of [manifest.config, ...manifest.layers]) assert.equal(await layout.has(d.digest), true, `${tag.name}: ${d.digest}`);
  }
});
