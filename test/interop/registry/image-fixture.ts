// A small two-platform image with real gzip tar layers, built in a MemoryStore for the interop tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { digestOf } from '../../../src/digest/hasher.js';
import { OCI } from '../../../src/image/media-types.js';
import type { Descriptor } from '../../../src/image/types.js';
import { MemoryStore } from '../../../src/store/memory.js';

function tarOf(files: Record<string, string | Buffer>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'oci-kit-fixture-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-cf', '-', '-C', dir, '.'], { maxBuffer: 1 << 30 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FixtureImage {
  store: MemoryStore;
  root: Descriptor;
  platforms: Descriptor[];
}

/** An index over linux/amd64 and linux/arm64 images, each with two gzip layers, tagged `name`. */
export async function makeFixtureImage(name: string, layerBytes = 200_000): Promise<FixtureImage> {
  const store = new MemoryStore();
  const shared = gzipSync(tarOf({ 'shared.txt': 'shared layer\n' }));
  const platforms: Descriptor[] = [];
  for (const [os, architecture] of [['linux', 'amd64'], ['linux', 'arm64']] as const) {
    const tar = tarOf({ [`${architecture}.bin`]: Buffer.alloc(layerBytes, architecture) });
    const own = gzipSync(tar);
    const layers = [shared, own].map((bytes) => ({ mediaType: OCI.layerGzip, digest: digestOf(bytes), size: bytes.byteLength }));
    await store.put(shared);
    await store.put(own);
    const config = Buffer.from(JSON.stringify({
      architecture, os, config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: [digestOf(tarOf({ 'shared.txt': 'shared layer\n' })), digestOf(tar)] },
    }));
    const c = await store.put(config);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config: { mediaType: OCI.config, ...c }, layers }));
    const m = await store.put(manifest);
    platforms.push({ mediaType: OCI.manifest, ...m, platform: { os, architecture } });
  }
  const index = await store.put(JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: platforms }));
  const root = { mediaType: OCI.index, ...index };
  await store.setTag(name, root);
  return { store, root, platforms };
}
