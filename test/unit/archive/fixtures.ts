// Builds small images and archives for the archive tests, by hand, so each test states the exact
// bytes an archive holds (including broken ones).
import { gzipSync } from 'node:zlib';
import { extract as tarExtract, pack as tarPack } from 'tar-stream';
import { digestOf } from '../../../src/digest/hasher.js';
import type { Digest } from '../../../src/digest/digest.js';
import { OCI } from '../../../src/image/media-types.js';
import type { Descriptor, ImageConfig, ImageManifest } from '../../../src/image/types.js';
import type { ImageStore } from '../../../src/store/blob-store.js';

export interface TarFile {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
}

/** A tar file holding `files`, in order. */
export async function makeTar(files: TarFile[]): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      const type = file.type ?? 'file';
      const header = { name: file.name, type, mtime: new Date(0), ...(file.linkname ? { linkname: file.linkname } : {}) };
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry(header, typeof file.data === 'string' ? Buffer.from(file.data) : (file.data ?? Buffer.alloc(0)), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** One image's blobs, built in memory. */
export interface FixtureImage {
  layers: Array<{ tar: Buffer; gz: Buffer; diffId: Digest; descriptor: Descriptor }>;
  configBytes: Buffer;
  config: ImageConfig;
  configDescriptor: Descriptor;
  manifestBytes: Buffer;
  manifest: ImageManifest;
  descriptor: Descriptor;
  /** Every blob by digest. */
  blobs: Map<Digest, Buffer>;
}

/** An OCI image with `layerContents.length` gzip layers, each holding one file. */
export async function makeImage(layerContents: string[] = ['hello'], compress = true): Promise<FixtureImage> {
  const tars: Buffer[] = [];
  for (const [i, content] of layerContents.entries()) tars.push(await makeTar([{ name: `file${i}.txt`, data: content }]));
  return makeImageFromTars(tars, compress);
}

/** An OCI image whose layers are the given tars (gzip-compressed unless `compress` is false). */
export async function makeImageFromTars(tars: Buffer[], compress = true, platform: { os: string; architecture: string; variant?: string } = { os: 'linux', architecture: 'amd64' }): Promise<FixtureImage> {
  const blobs = new Map<Digest, Buffer>();
  const layers = [];
  for (const tar of tars) {
    const gz = gzipSync(tar);
    const body = compress ? gz : tar;
    const descriptor: Descriptor = { mediaType: compress ? OCI.layerGzip : OCI.layer, digest: digestOf(body), size: body.byteLength };
    blobs.set(descriptor.digest, body);
    layers.push({ tar, gz, diffId: digestOf(tar), descriptor });
  }
  const config: ImageConfig = {
    ...platform,
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDescriptor: Descriptor = { mediaType: OCI.config, digest: digestOf(configBytes), size: configBytes.byteLength };
  blobs.set(configDescriptor.digest, configBytes);
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: OCI.manifest, config: configDescriptor, layers: layers.map((l) => l.descriptor) };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const descriptor: Descriptor = { mediaType: OCI.manifest, digest: digestOf(manifestBytes), size: manifestBytes.byteLength };
  blobs.set(descriptor.digest, manifestBytes);
  return { layers, configBytes, config, configDescriptor, manifestBytes, manifest, descriptor, blobs };
}

/** Puts every blob of `image` into `store` and tags it `tag` (a full reference). */
export async function storeImage(store: ImageStore, image: FixtureImage, tag?: string): Promise<void> {
  for (const [digest, bytes] of image.blobs) await store.put(bytes, { digest });
  if (tag) await store.setTag(tag, image.descriptor);
}

/** `blobs/sha256/<hex>` entries for every blob of the images. */
export function blobEntries(...images: FixtureImage[]): TarFile[] {
  const seen = new Map<Digest, Buffer>();
  for (const image of images) for (const [d, b] of image.blobs) seen.set(d, b);
  return [...seen].map(([digest, data]) => ({ name: `blobs/sha256/${digest.slice(7)}`, data }));
}

/** An OCI archive of one image named `refName`. */
export async function ociArchive(image: FixtureImage, refName: string, extra: TarFile[] = []): Promise<Buffer> {
  const index = { schemaVersion: 2, mediaType: OCI.index, manifests: [{ ...image.descriptor, annotations: { 'org.opencontainers.image.ref.name': refName } }] };
  return makeTar([{ name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' }, ...blobEntries(image), { name: 'index.json', data: JSON.stringify(index) }, ...extra]);
}

/**
 * A legacy (Docker 1.10-24) `docker save` archive: per-layer directories with `layer.tar`, `json`
 * and `VERSION`, the config as `<hex>.json`, then manifest.json and repositories last.
 */
export async function legacyArchive(image: FixtureImage, repoTags: string[], options: { corruptLayer?: boolean } = {}): Promise<Buffer> {
  const files: TarFile[] = [];
  const layerPaths: string[] = [];
  for (const [i, layer] of image.layers.entries()) {
    const id = digestOf(`v1-id-${i}-${layer.diffId}`).slice(7);
    const tar = options.corruptLayer && i === 0 ? Buffer.concat([layer.tar.subarray(0, 512), Buffer.from('tampered'), layer.tar.subarray(520)]) : layer.tar;
    files.push({ name: `${id}/`, type: 'directory' }, { name: `${id}/VERSION`, data: '1.0' }, { name: `${id}/json`, data: JSON.stringify({ id }) }, { name: `${id}/layer.tar`, data: tar });
    layerPaths.push(`${id}/layer.tar`);
  }
  const configName = `${image.configDescriptor.digest.slice(7)}.json`;
  files.push({ name: configName, data: image.configBytes });
  files.push({ name: 'manifest.json', data: JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layerPaths }]) });
  files.push({ name: 'repositories', data: '{}' });
  return makeTar(files);
}

/** Every blob digest and tag of a store, to compare before and after. */
export async function storeSnapshot(store: ImageStore): Promise<{ blobs: string[]; tags: string[] }> {
  const blobs: string[] = [];
  for await (const d of store.list()) blobs.push(d);
  const tags = (await store.listTags()).map((t) => `${t.name}=${t.descriptor.digest}`);
  return { blobs: blobs.sort(), tags: tags.sort() };
}

/** A Readable-like async iterable over `bytes` in small chunks, as a pipe delivers them. */
export async function* chunked(bytes: Buffer, size = 4096): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.subarray(i, i + size);
}

/** Regular file names and contents of a tar. */
export async function tarFiles(tar: Buffer): Promise<Record<string, string>> {
  const extract = tarExtract();
  const files: Record<string, string> = {};
  const reading = (async () => {
    for await (const entry of extract as unknown as AsyncIterable<AsyncIterable<Buffer> & { header: { name: string; type: string } }>) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c);
      if (entry.header.type === 'file') files[entry.header.name.replace(/^\.\//, '')] = Buffer.concat(chunks).toString();
    }
  })();
  extract.end(tar);
  await reading;
  return files;
}

/** Layers: a.txt and b.txt; then a.txt deleted (whiteout) and b.txt changed. */
export async function layeredImage(): Promise<FixtureImage> {
  return makeImageFromTars([
    await makeTar([{ name: 'a.txt', data: 'a' }, { name: 'b.txt', data: 'b1' }]),
    await makeTar([{ name: '.wh.a.txt', data: '' }, { name: 'b.txt', data: 'b2' }]),
  ]);
}

