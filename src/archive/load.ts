/**
 * `load`: reads an image archive into a store. Recognised forms, told apart by their metadata:
 *
 * - OCI archive: a tarred image layout (image-spec image-layout.md: `oci-layout`, `index.json`,
 *   `blobs/`); names come from `org.opencontainers.image.ref.name` / `io.containerd.image.name`.
 * - Docker 25+ `docker save`: the same layout plus Docker's `manifest.json` and `repositories`.
 * - Legacy `docker save` (Docker 1.10 to 24, `skopeo copy ... docker-archive:`): `manifest.json`
 *   naming a config file and per-layer tars (`<id>/layer.tar` or `<hex>.tar`), with no manifest;
 *   oci-kit writes an OCI manifest for each image and keeps the layers as they are (uncompressed,
 *   as Docker keeps them), after checking each layer against the config's diffIDs.
 * - Pre-1.10 `docker save`: only `repositories` and per-layer `<id>/json` + `layer.tar`; the config
 *   is rebuilt from the top layer's v1 JSON, as Docker's own legacy loader does.
 *
 * Every blob is verified. Blobs enter the store while the archive streams by; tags are set only once
 * every image has been checked, and when anything fails the blobs this load added are removed again,
 * so a bad archive leaves the store as it was.
 *
 * @module
 */
import { createGunzip } from 'node:zlib';
import { digestOf, digestOfStream } from '../digest/hasher.js';
import { isDigest, type Digest } from '../digest/digest.js';
import { OCI, layerMediaType } from '../image/media-types.js';
import { ANNOTATIONS, type Descriptor, type ImageManifest } from '../image/types.js';
import { formatReference, parseReference } from '../reference/index.js';
import type { ImageStore } from '../store/blob-store.js';
import { readArchive, DEFAULT_MAX_METADATA_SIZE, type ArchiveContents, type ArchiveFile, type ReadArchiveOptions } from './archive-reader.js';
import { sniffCompression } from './compression.js';
import { checkDescriptor, documentKind, parseJson, readDockerManifestJson, readIndex, readManifest, type DockerArchiveEntry } from './documents.js';
import { ArchiveError, invalidArchive, missingBlob, unknownFormat } from './errors.js';
import { blobPath, cleanArchivePath } from './paths.js';

/** Which kind of archive was loaded. */
export type ArchiveFormat = 'oci' | 'docker' | 'docker-legacy' | 'docker-v1';

/** Options of {@link loadArchive}. */
export interface LoadArchiveOptions extends ReadArchiveOptions {
  /**
   * Repository for OCI archive entries whose `org.opencontainers.image.ref.name` is only a tag
   * (`latest`, as `skopeo copy ... oci-archive:FILE:latest` writes): they are tagged `<repository>:<tag>`.
   * Without it such images are loaded untagged.
   */
  repository?: string;
}

/** One image (or index) the archive held. */
export interface ArchiveImage {
  /** Descriptor of its manifest or index, as stored. */
  descriptor: Descriptor;
  /** Full references it was tagged with, e.g. `docker.io/library/hello:latest`. May be empty. */
  tags: string[];
}

/** What {@link loadArchive} did. */
export interface LoadArchiveResult {
  format: ArchiveFormat;
  images: ArchiveImage[];
}

/** What the archive's metadata says should become images, once checked. */
interface LoadPlan {
  format: ArchiveFormat;
  images: ArchiveImage[];
  /** Every blob the images need. */
  reachable: Set<Digest>;
}

/**
 * Loads every image of an archive (plain or gzip-compressed tar, read once, front to back) into
 * `store` and tags them. Throws an {@link ArchiveError} (codes `ERR_ARCHIVE_*`) and leaves the store
 * as it was when the archive is malformed, incomplete, or holds content that does not match its digests.
 */
export async function loadArchive(source: AsyncIterable<Uint8Array>, store: ImageStore, options: LoadArchiveOptions = {}): Promise<LoadArchiveResult> {
  const added = new Set<Digest>();
  const previousTags = new Map<string, Descriptor | undefined>();
  try {
    const contents = await readArchive(source, store, added, options);
    const reader = new ContentReader(contents, store, options.maxMetadataSize ?? DEFAULT_MAX_METADATA_SIZE);
    let plan: LoadPlan;
    if (contents.metadata.has('index.json')) plan = await planFromLayout(reader, added, options);
    else if (contents.metadata.has('manifest.json')) plan = await planFromDockerManifest(reader, added);
    else if (contents.metadata.has('repositories')) plan = await planFromV1(reader, added);
    else throw unknownFormat('it has neither an index.json (OCI / Docker 25+) nor a manifest.json or repositories file (docker save)');

    for (const image of plan.images) {
      for (const tag of image.tags) {
        if (!previousTags.has(tag)) previousTags.set(tag, await store.resolveTag(tag));
        await store.setTag(tag, image.descriptor);
      }
    }
    // Files the archive carried that no image uses (legacy v1 leftovers, junk) do not stay.
    for (const digest of added) if (!plan.reachable.has(digest)) await store.delete(digest).catch(() => undefined);
    return { format: plan.format, images: plan.images };
  } catch (err) {
    for (const [tag, previous] of previousTags) {
      await (previous ? store.setTag(tag, previous) : store.removeTag(tag)).catch(() => undefined);
    }
    for (const digest of added) await store.delete(digest).catch(() => undefined);
    throw err;
  }
}

/** Reads files of the archive (by path, following links) and blobs (by digest). */
class ContentReader {
  constructor(
    readonly contents: ArchiveContents,
    readonly store: ImageStore,
    readonly maxMetadataSize: number,
  ) {}

  /** The clean path `path` stands for after following links (at most 16 hops). */
  resolve(path: string, where: string): string {
    let current = cleanArchivePath(path, where);
    for (let hops = 0; hops < 16; hops++) {
      const target = this.contents.links.get(current);
      if (target === undefined) return current;
      current = target;
    }
    throw invalidArchive(`${where} names ${path}, a chain of links that does not end`);
  }

  /** Bytes of a small file named by metadata: kept metadata, or a stored file entry. */
  async smallFile(path: string, where: string): Promise<{ bytes: Buffer; digest?: Digest }> {
    const resolved = this.resolve(path, where);
    const kept = this.contents.metadata.get(resolved);
    if (kept) return { bytes: kept };
    const file = this.contents.files.get(resolved);
    if (!file) throw missingBlob(`the file ${JSON.stringify(path)}`, where);
    if (file.size > this.maxMetadataSize) {
      throw new ArchiveError('ERR_ARCHIVE_TOO_LARGE', `${where} names ${path} (${file.size} bytes) as a JSON document, larger than the ${this.maxMetadataSize}-byte limit`);
    }
    return { bytes: await this.store.get(file.digest), digest: file.digest };
  }

  /** A blob named by a descriptor: it must be in the store, now or from before, with the promised size. */
  async checkBlob(descriptor: Descriptor, where: string): Promise<boolean> {
    const info = await this.store.stat(descriptor.digest);
    if (!info) {
      // Foreign / non-distributable layers (descriptor.md `urls`) may be left out of archives.
      if (descriptor.urls?.length) return false;
      throw missingBlob(`${descriptor.mediaType} ${descriptor.digest}`, where);
    }
    if (info.size !== descriptor.size) {
      throw invalidArchive(`${where} says ${descriptor.digest} has ${descriptor.size} bytes, but the archive's blob has ${info.size}`);
    }
    return true;
  }

  async document(descriptor: Descriptor, where: string): Promise<Buffer> {
    if (descriptor.size > this.maxMetadataSize) {
      throw new ArchiveError('ERR_ARCHIVE_TOO_LARGE', `${where} names a ${descriptor.size}-byte ${descriptor.mediaType}, larger than the ${this.maxMetadataSize}-byte limit`);
    }
    return this.store.get(descriptor.digest);
  }
}

// ---------------------------------------------------------------------------------------------
// OCI archives and Docker 25+ archives: index.json is the truth.

async function planFromLayout(reader: ContentReader, added: Set<Digest>, options: LoadArchiveOptions): Promise<LoadPlan> {
  const { metadata } = reader.contents;
  const layoutHeader = metadata.get('oci-layout');
  if (layoutHeader) {
    const header = parseJson(layoutHeader, 'oci-layout') as { imageLayoutVersion?: unknown };
    if (typeof header?.imageLayoutVersion !== 'string') throw invalidArchive('oci-layout has no imageLayoutVersion');
  }
  const index = readIndex(metadata.get('index.json')!, 'index.json');
  const dockerTags = metadata.has('manifest.json') ? repoTagsByConfig(reader, readDockerManifestJson(metadata.get('manifest.json')!)) : new Map<string, string[]>();
  const reachable = new Set<Digest>();
  const byDigest = new Map<Digest, ArchiveImage>();

  for (const [i, entry] of index.manifests.entries()) {
    const where = `index.json manifests[${i}]`;
    const { descriptor, configs } = await resolveRoot(reader, entry, where, reachable, added);
    let image = byDigest.get(descriptor.digest);
    if (!image) {
      image = { descriptor, tags: [] };
      byDigest.set(descriptor.digest, image);
    }
    const names = [...tagsFromAnnotations(entry, options.repository, where), ...configs.flatMap((config) => dockerTags.get(blobPath(config)) ?? [])];
    for (const name of names) if (!image.tags.includes(name)) image.tags.push(name);
  }
  return { format: metadata.has('manifest.json') ? 'docker' : 'oci', images: [...byDigest.values()], reachable };
}

/**
 * The image an index.json entry stands for, checked with everything below it. An index whose
 * platform manifests are only partly in the archive (what `docker save` writes from a containerd
 * image store holding one platform of a multi-platform image) is narrowed to what is there: the one
 * manifest present, or a new index of the manifests present, so the store never names content it
 * lacks. Any other missing blob is an error.
 */
async function resolveRoot(reader: ContentReader, entry: Descriptor, where: string, reachable: Set<Digest>, added: Set<Digest>): Promise<{ descriptor: Descriptor; configs: Digest[] }> {
  const { annotations: _names, ...descriptor } = entry;
  if (documentKind(entry.mediaType, Buffer.alloc(0)) !== 'index' || !(await reader.checkBlob(entry, where))) {
    const config = await walk(reader, entry, where, reachable);
    return { descriptor, configs: config ? [config] : [] };
  }
  const index = readIndex(await reader.document(entry, where), `index ${entry.digest}`);
  const present: Descriptor[] = [];
  const configs: Digest[] = [];
  for (const [i, child] of index.manifests.entries()) {
    const isDocument = documentKind(child.mediaType, Buffer.alloc(0)) !== 'other';
    if (isDocument && !(await reader.store.has(child.digest))) continue;
    const config = await walk(reader, child, `index ${entry.digest} manifests[${i}]`, reachable, 1);
    if (config) configs.push(config);
    present.push(child);
  }
  if (present.length === index.manifests.length) {
    reachable.add(entry.digest);
    return { descriptor, configs };
  }
  const first = index.manifests[0];
  if (present.length === 0 || !first) throw missingBlob(`every manifest of index ${entry.digest}${first ? ` (${first.digest}, ...)` : ''}`, where);
  if (present.length === 1) {
    const { annotations: _a, ...only } = present[0]!;
    return { descriptor: only, configs };
  }
  const narrowed = await putSmall(reader.store, Buffer.from(JSON.stringify({ ...index, manifests: present })), entry.mediaType, added);
  reachable.add(narrowed.digest);
  return { descriptor: narrowed, configs };
}

/** Checks a descriptor and everything below it; returns the config digest when it is an image manifest. */
async function walk(reader: ContentReader, descriptor: Descriptor, where: string, reachable: Set<Digest>, depth = 0): Promise<Digest | undefined> {
  if (depth > 8) throw invalidArchive(`${where}: indexes nested more than 8 deep`);
  if (!(await reader.checkBlob(descriptor, where))) return undefined;
  reachable.add(descriptor.digest);
  const kind = documentKind(descriptor.mediaType, Buffer.alloc(0));
  if (kind === 'index') {
    const index = readIndex(await reader.document(descriptor, where), `index ${descriptor.digest}`);
    for (const [i, child] of index.manifests.entries()) {
      await walk(reader, child, `index ${descriptor.digest} manifests[${i}]`, reachable, depth + 1);
    }
    return undefined;
  }
  if (kind === 'manifest') {
    const manifest = readManifest(await reader.document(descriptor, where), `manifest ${descriptor.digest}`);
    await checkManifestBlobs(reader, manifest, `manifest ${descriptor.digest}`, reachable);
    return manifest.config.digest;
  }
  return undefined;
}

async function checkManifestBlobs(reader: ContentReader, manifest: ImageManifest, where: string, reachable: Set<Digest>): Promise<void> {
  if (await reader.checkBlob(manifest.config, `${where} config`)) reachable.add(manifest.config.digest);
  for (const [i, layer] of manifest.layers.entries()) {
    if (await reader.checkBlob(layer, `${where} layers[${i}]`)) reachable.add(layer.digest);
  }
}

/** Names an index.json entry carries: containerd's full name first, then the OCI ref name. */
function tagsFromAnnotations(entry: Descriptor, repository: string | undefined, where: string): string[] {
  const full = entry.annotations?.[ANNOTATIONS.containerdImageName];
  if (full) return [normalizeName(full, where)];
  const refName = entry.annotations?.[ANNOTATIONS.refName];
  if (!refName) return [];
  // A ref name with a registry, a path or a tag separator is a whole reference; a bare word is a tag.
  if (/[/:@]/.test(refName)) return [normalizeName(refName, where)];
  if (repository) return [normalizeName(`${repository}:${refName}`, where)];
  return [];
}

function normalizeName(name: string, where: string): string {
  try {
    return formatReference(parseReference(name));
  } catch (err) {
    throw invalidArchive(`${where} names the image ${JSON.stringify(name)}, which is not a valid reference`, err);
  }
}

/** Docker's RepoTags by the config path they belong to (Docker 25 points Config at `blobs/sha256/...`). */
function repoTagsByConfig(reader: ContentReader, entries: DockerArchiveEntry[]): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  entries.forEach((entry, i) => {
    const where = `manifest.json entry ${i}`;
    const path = reader.resolve(entry.Config, where);
    const list = tags.get(path) ?? [];
    for (const tag of entry.RepoTags ?? []) list.push(normalizeName(tag, `${where} RepoTags`));
    tags.set(path, list);
  });
  return tags;
}

// ---------------------------------------------------------------------------------------------
// Legacy docker save archives: manifest.json with a config file and layer tars, no manifests.

async function planFromDockerManifest(reader: ContentReader, added: Set<Digest>): Promise<LoadPlan> {
  const entries = readDockerManifestJson(reader.contents.metadata.get('manifest.json')!);
  if (entries.length === 0) throw invalidArchive('manifest.json lists no images');
  const reachable = new Set<Digest>();
  const byDigest = new Map<Digest, ArchiveImage>();
  const diffIdCache = new Map<Digest, Digest>();

  for (const [n, entry] of entries.entries()) {
    const where = `manifest.json entry ${n}`;
    const config = await reader.smallFile(entry.Config, `${where} Config`);
    const diffIds = configDiffIds(config.bytes, `${where} config ${entry.Config}`);
    if (diffIds.length !== entry.Layers.length) {
      throw invalidArchive(`${where} lists ${entry.Layers.length} layers but its config has ${diffIds.length} diffIDs`);
    }
    const configDescriptor = await putSmall(reader.store, config.bytes, OCI.config, added);
    reachable.add(configDescriptor.digest);

    const layers: Descriptor[] = [];
    for (const [i, layerPath] of entry.Layers.entries()) {
      const layerWhere = `${where} Layers[${i}]`;
      const expected = diffIds[i]!;
      const file = reader.contents.files.get(reader.resolve(layerPath, layerWhere));
      if (!file) {
        const foreign = entry.LayerSources?.[expected];
        if (foreign) {
          layers.push(checkDescriptor(foreign, `${where} LayerSources`));
          continue;
        }
        throw missingBlob(`the layer ${JSON.stringify(layerPath)}`, where);
      }
      const layer = await layerOf(reader, file, `${layerWhere} (${layerPath})`, diffIdCache);
      if (layer.diffId !== expected) {
        throw new ArchiveError('ERR_ARCHIVE_INVALID', `${layerWhere} (${layerPath}) has diffID ${layer.diffId}, but the image config expects ${expected}`, {
          hint: 'the archive is damaged or was tampered with; nothing was loaded',
        });
      }
      layers.push(layer.descriptor);
      reachable.add(file.digest);
    }

    const manifest: ImageManifest = { schemaVersion: 2, mediaType: OCI.manifest, config: configDescriptor, layers };
    const descriptor = await putSmall(reader.store, Buffer.from(JSON.stringify(manifest)), OCI.manifest, added);
    reachable.add(descriptor.digest);
    const image = byDigest.get(descriptor.digest) ?? { descriptor, tags: [] };
    byDigest.set(descriptor.digest, image);
    for (const tag of entry.RepoTags ?? []) {
      const name = normalizeName(tag, `${where} RepoTags`);
      if (!image.tags.includes(name)) image.tags.push(name);
    }
  }
  return { format: 'docker-legacy', images: [...byDigest.values()], reachable };
}

/** A legacy layer file as a layer: plain or gzip tar, kept as it is, with its diffID. */
async function layerOf(reader: ContentReader, file: ArchiveFile, where: string, cache: Map<Digest, Digest>): Promise<{ descriptor: Descriptor; diffId: Digest }> {
  const compression = sniffCompression(file.head);
  if (compression !== 'none' && compression !== 'gzip') {
    throw invalidArchive(`${where} is ${compression}-compressed; legacy archives hold plain or gzip tars`);
  }
  let diffId = cache.get(file.digest);
  if (!diffId) {
    diffId = compression === 'none' ? file.digest : await gunzippedDigest(reader.store, file.digest);
    cache.set(file.digest, diffId);
  }
  return { descriptor: { mediaType: layerMediaType(compression === 'gzip' ? 'gzip' : 'none', 'oci'), digest: file.digest, size: file.size }, diffId };
}

// ---------------------------------------------------------------------------------------------
// Archives from before Docker 1.10: `repositories` names each tag's top layer directory; each
// `<id>/json` names its parent. The image config is rebuilt from the top layer's v1 JSON as Docker's
// own legacy loader does (image spec v1: the v1 JSON carries the config fields of the image).

interface V1Json {
  id: string;
  parent?: string;
  created?: string;
  author?: string;
  comment?: string;
  architecture?: string;
  os?: string;
  config?: Record<string, unknown>;
  container_config?: { Cmd?: string[] };
}

async function planFromV1(reader: ContentReader, added: Set<Digest>): Promise<LoadPlan> {
  const repositories = parseJson(reader.contents.metadata.get('repositories')!, 'repositories') as Record<string, Record<string, string>> | null;
  if (typeof repositories !== 'object' || repositories === null) throw invalidArchive('repositories is not a JSON object');
  const reachable = new Set<Digest>();
  const byDigest = new Map<Digest, ArchiveImage>();
  const cache = new Map<Digest, Digest>();
  for (const [repository, tags] of Object.entries(repositories)) {
    for (const [tag, topId] of Object.entries(tags ?? {})) {
      const where = `repositories ${repository}:${tag}`;
      const chain: V1Json[] = [];
      for (let id: string | undefined = topId; id; id = chain[0]!.parent) {
        if (chain.length > 1000) throw invalidArchive(`${where}: the layer parent chain does not end`);
        const bytes = reader.contents.metadata.get(reader.resolve(`${id}/json`, where));
        if (!bytes) throw missingBlob(`the layer ${id}/json`, where);
        const v1 = parseJson(bytes, `${id}/json`) as V1Json;
        if (typeof v1 !== 'object' || v1 === null) throw invalidArchive(`${id}/json is not a JSON object`);
        chain.unshift(v1);
      }
      const layers: Descriptor[] = [];
      const diffIds: Digest[] = [];
      for (const v1 of chain) {
        const path = reader.resolve(`${v1.id}/layer.tar`, where);
        const file = reader.contents.files.get(path);
        if (!file) throw missingBlob(`the layer ${path}`, where);
        const layer = await layerOf(reader, file, path, cache);
        layers.push(layer.descriptor);
        diffIds.push(layer.diffId);
        reachable.add(file.digest);
      }
      const top = chain[chain.length - 1]!;
      const config = {
        ...(top.created ? { created: top.created } : {}),
        ...(top.author ? { author: top.author } : {}),
        architecture: top.architecture ?? 'amd64',
        os: top.os ?? 'linux',
        ...(top.config ? { config: top.config } : {}),
        rootfs: { type: 'layers', diff_ids: diffIds },
        history: chain.map((v1) => ({
          ...(v1.created ? { created: v1.created } : {}),
          ...(v1.author ? { author: v1.author } : {}),
          ...(v1.container_config?.Cmd ? { created_by: v1.container_config.Cmd.join(' ') } : {}),
          ...(v1.comment ? { comment: v1.comment } : {}),
        })),
      };
      const configDescriptor = await putSmall(reader.store, Buffer.from(JSON.stringify(config)), OCI.config, added);
      reachable.add(configDescriptor.digest);
      const manifest: ImageManifest = { schemaVersion: 2, mediaType: OCI.manifest, config: configDescriptor, layers };
      const descriptor = await putSmall(reader.store, Buffer.from(JSON.stringify(manifest)), OCI.manifest, added);
      reachable.add(descriptor.digest);
      const image = byDigest.get(descriptor.digest) ?? { descriptor, tags: [] };
      byDigest.set(descriptor.digest, image);
      const name = normalizeName(`${repository}:${tag}`, where);
      if (!image.tags.includes(name)) image.tags.push(name);
    }
  }
  if (byDigest.size === 0) throw invalidArchive('repositories names no images');
  return { format: 'docker-v1', images: [...byDigest.values()], reachable };
}

function configDiffIds(bytes: Buffer, where: string): Digest[] {
  const config = parseJson(bytes, where) as { rootfs?: { diff_ids?: unknown } } | null;
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((d): d is Digest => typeof d === 'string' && isDigest(d))) {
    throw invalidArchive(`${where} has no valid rootfs.diff_ids list`);
  }
  return diffIds;
}

async function putSmall(store: ImageStore, bytes: Buffer, mediaType: string, added: Set<Digest>): Promise<Descriptor> {
  const digest = digestOf(bytes);
  if (!(await store.has(digest))) {
    await store.put(bytes, { digest, size: bytes.byteLength });
    added.add(digest);
  }
  return { mediaType, digest, size: bytes.byteLength };
}

/** The diffID of a gzip layer: the digest of its uncompressed tar (config.md, "Layer DiffID"). */
async function gunzippedDigest(store: ImageStore, digest: Digest): Promise<Digest> {
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const blob = await store.open(digest);
  blob.once('error', (err) => gunzip.destroy(err));
  return (await digestOfStream(blob.pipe(gunzip))).digest;
}
