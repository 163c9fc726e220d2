/**
 * The state of one build stage and the three kinds of step that change it:
 *
 * - metadata steps (ENV, LABEL, CMD, ...) change the config and add an `empty_layer` history entry;
 * - layer steps (COPY, ADD, WORKDIR's mkdir) write a layer from planned entries;
 * - rootfs steps (RUN, `changes()`) mutate a materialised rootfs; the snapshot diff is the layer.
 *
 * Every step extends the stage's cache key chain; layer and rootfs steps look their key up in the
 * build cache first and, on a hit, only append the cached layer (no file system work at all).
 *
 * The rootfs is materialised lazily, once per stage, and kept current: consecutive RUNs reuse it
 * (the RUN's own changes are already in it) and layers from COPY are applied to it only when a later
 * step needs the file system again.
 *
 * @module
 */
import { chmod, mkdtemp, rm, readFile } from 'node:fs/promises';
import { lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '../digest/digest.js';
import type { Compression } from '../image/media-types.js';
import type { ContainerConfig, Descriptor, HistoryEntry, ImageConfig, Platform } from '../image/types.js';
import type { LayerEntry } from '../layer/entry.js';
import type { ImageStore } from '../store/blob-store.js';
import type { Executor } from './executor/types.js';
import type { BuildCache } from './cache.js';
import { stepKey } from './cache.js';
import { EMPTY_ROOTFS, type RootfsQuery } from './copy.js';
import type { BuildEmitter } from './events.js';
import { layerFromEntries, applyLayers, takeSnapshot, layerFromSnapshot } from './layers.js';
import { resolveContainerPath, resolveInRootfs } from './executor/rootfs-path.js';

/** Settings shared by every stage of one build (one platform). */
export interface BuildSettings {
  store: ImageStore;
  cache: BuildCache;
  /** False with `--no-cache`: nothing is read from the cache (records are still written). */
  useCache: boolean;
  /** The executor for RUN; created on first use. */
  executor: () => Executor;
  compression: Compression;
  /** Compression level (default: gzip 1, zstd 3). */
  compressionLevel?: number | undefined;
  family: 'oci' | 'docker';
  /** SOURCE_DATE_EPOCH in seconds, when given. */
  epoch?: number | undefined;
  /** When the build started. */
  now: Date;
  platform: Platform;
  events: BuildEmitter;
  network: 'host' | 'none';
  /** Where materialised rootfs directories go. */
  tmpRoot?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Capture extended attributes (file capabilities) changed by RUN; slower (default false). */
  xattrs?: boolean | undefined;
  /** History comment of each entry (`buildkit.dockerfile.v0` for Dockerfile builds). */
  historyComment?: string | undefined;
}

/** A layer appended by a step. */
export interface StepLayer {
  descriptor: Descriptor;
  diffId: Digest;
}

/** A materialised rootfs and how many of the stage's layers it already reflects. */
interface RootfsView {
  dir: string;
  applied: number;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The time stamp history entries and the config get. */
export function buildTimestamp(settings: Pick<BuildSettings, 'epoch' | 'now'>): string {
  return settings.epoch !== undefined ? new Date(settings.epoch * 1000).toISOString().replace('.000Z', 'Z') : settings.now.toISOString();
}

/** One stage of a build. */
export class Stage {
  config: ImageConfig;
  layers: Descriptor[];
  /** The cache key of the last step. */
  key: string;
  private viewPromise: Promise<RootfsView> | undefined;

  constructor(
    readonly settings: BuildSettings,
    config: ImageConfig,
    layers: Descriptor[],
    key: string,
  ) {
    this.config = clone(config);
    this.config.config ??= {};
    this.config.history ??= [];
    this.layers = [...layers];
    this.key = key;
  }

  /** A stage on `scratch`: no layers, the target platform, an empty config. */
  static scratch(settings: BuildSettings): Stage {
    const { os, architecture, variant } = settings.platform;
    const config: ImageConfig = { architecture, os, config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
    if (variant) config.variant = variant;
    return new Stage(settings, config, [], stepKey('scratch', os, architecture, variant ?? ''));
  }

  /** A stage on an image whose manifest digest is `digest`. */
  static fromImage(settings: BuildSettings, config: ImageConfig, layers: Descriptor[], digest: string): Stage {
    return new Stage(settings, config, layers, stepKey('image', digest));
  }

  /** A new stage that starts where this one ends (`FROM <stage>`); the rootfs is not shared. */
  fork(): Stage {
    return new Stage(this.settings, this.config, this.layers, this.key);
  }

  get container(): ContainerConfig {
    return (this.config.config ??= {});
  }

  private history(createdBy: string, emptyLayer: boolean, created?: string): void {
    const entry: HistoryEntry = { created: created ?? buildTimestamp(this.settings), created_by: createdBy };
    if (this.settings.historyComment) entry.comment = this.settings.historyComment;
    if (emptyLayer) entry.empty_layer = true;
    this.config.history!.push(entry);
  }

  /** A metadata step: mutates the container config and records an empty-layer history entry. */
  meta(createdBy: string, mutate: (config: ContainerConfig) => void, keyParts: string[] = []): void {
    mutate(this.container);
    this.key = stepKey(this.key, 'meta', createdBy, ...keyParts);
    this.history(createdBy, true);
  }

  /** A cache lookup for a layer-producing step; on a hit, the layer is appended. */
  private async fromCache(key: string, createdBy: string): Promise<boolean> {
    if (!this.settings.useCache) return false;
    const record = await this.settings.cache.get(key);
    if (!record) return false;
    if (record.layer && record.diffId) {
      // The layer blob may have been garbage collected since: then it is a miss.
      if (!(await this.settings.store.has(record.layer.digest))) return false;
      this.appendLayer({ descriptor: record.layer, diffId: record.diffId }, createdBy, record.created);
    } else {
      this.appendLayer(undefined, createdBy, record.created);
    }
    return true;
  }

  private appendLayer(layer: StepLayer | undefined, createdBy: string, created?: string): void {
    if (layer) {
      this.layers.push(layer.descriptor);
      this.config.rootfs.diff_ids.push(layer.diffId);
    }
    this.history(createdBy, layer === undefined, created);
  }

  private async record(key: string, layer: StepLayer | undefined): Promise<void> {
    const created = buildTimestamp(this.settings);
    await this.settings.cache.set(key, layer ? { layer: layer.descriptor, diffId: layer.diffId, created } : { created });
  }

  /**
   * A step whose layer is planned as entries (COPY, ADD, addFiles, WORKDIR). `inputs` is the content
   * hash of what it reads. Returns whether the cache supplied it.
   */
  async entriesStep(createdBy: string, keyParts: string[], plan: () => Promise<LayerEntry[]>): Promise<boolean> {
    const key = stepKey(this.key, 'layer', createdBy, ...keyParts);
    this.key = key;
    if (await this.fromCache(key, createdBy)) return true;
    const entries = await plan();
    let layer: StepLayer | undefined;
    if (entries.length > 0) {
      layer = await layerFromEntries(this.settings.store, entries, {
        compression: this.settings.compression,
        level: this.settings.compressionLevel,
        family: this.settings.family,
      });
    }
    await this.record(key, layer);
    this.appendLayer(layer, createdBy);
    return false;
  }

  /**
   * A step that mutates the materialised rootfs (RUN, `changes()`); the snapshot diff becomes the
   * layer, no layer when nothing changed. Returns whether the cache supplied it.
   */
  async rootfsStep(createdBy: string, keyParts: string[], mutate: (rootfs: string) => Promise<void>): Promise<boolean> {
    const key = stepKey(this.key, 'rootfs', createdBy, ...keyParts);
    this.key = key;
    if (await this.fromCache(key, createdBy)) return true;
    const view = await this.materialise();
    const before = await takeSnapshot(view.dir, this.settings.xattrs ?? false);
    // If the mutation fails the rootfs is in an unknown state: drop it so it is never reused.
    try {
      await mutate(view.dir);
    } catch (err) {
      await this.dropView();
      throw err;
    }
    const layer = await layerFromSnapshot(this.settings.store, before, view.dir, {
      compression: this.settings.compression,
      level: this.settings.compressionLevel,
      family: this.settings.family,
      epoch: this.settings.epoch,
      xattrs: this.settings.xattrs,
    });
    await this.record(key, layer);
    this.appendLayer(layer, createdBy);
    // The rootfs already holds the change; the new layer must not be applied again.
    view.applied = this.layers.length;
    return false;
  }

  /** The rootfs directory with every layer of the stage applied. */
  async materialise(): Promise<RootfsView> {
    if (!this.viewPromise) {
      this.viewPromise = (async () => {
        const dir = await mkdtemp(join(this.settings.tmpRoot ?? tmpdir(), 'oci-kit-rootfs-'));
        // mkdtemp makes it 0700; an image's `/` is 0755, and a non-root USER must be able to enter it.
        await chmod(dir, 0o755);
        return { dir, applied: 0 };
      })();
    }
    const view = await this.viewPromise;
    if (view.applied < this.layers.length) {
      const pending = this.layers.slice(view.applied);
      view.applied = this.layers.length;
      await applyLayers(this.settings.store, pending, view.dir);
    }
    return view;
  }

  /**
   * Makes a rebuild with the same inputs produce the same image: the first build of this final
   * cache key records its timestamp, and later builds reuse it for every history entry this build
   * stamped (and for `created`), as Docker does when it answers a build from the cache.
   */
  async settleTimestamps(): Promise<void> {
    const now = buildTimestamp(this.settings);
    const key = stepKey(this.key, 'image');
    const record = this.settings.useCache ? await this.settings.cache.get(key) : undefined;
    const created = record?.created ?? now;
    if (!record) await this.settings.cache.set(key, { created });
    for (const entry of this.config.history ?? []) if (entry.created === now) entry.created = created;
    this.config.created = created;
  }

  /** Removes the materialised rootfs, if any. */
  async dropView(): Promise<void> {
    const promise = this.viewPromise;
    this.viewPromise = undefined;
    if (promise) {
      const view = await promise.catch(() => undefined);
      if (view) await rm(view.dir, { recursive: true, force: true });
    }
  }

  /** Questions about the stage's file system, materialising it only when it has layers. */
  rootfsQuery(): RootfsQuery {
    if (this.layers.length === 0) return EMPTY_ROOTFS;
    return {
      typeOf: async (path) => {
        const view = await this.materialise();
        try {
          const st = lstatSync(resolveInRootfs(view.dir, path));
          return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
        } catch {
          return undefined;
        }
      },
      dirInfo: async (path) => {
        const view = await this.materialise();
        try {
          const st = lstatSync(resolveInRootfs(view.dir, path, false));
          if (!st.isDirectory()) return undefined;
          return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
        } catch {
          return undefined;
        }
      },
      resolveParents: async (path) => {
        const view = await this.materialise();
        return resolveContainerPath(view.dir, path, false);
      },
    };
  }

  /** Reads a file of the stage's file system (`/etc/passwd`), undefined when absent. */
  async readFile(path: string): Promise<string | undefined> {
    if (this.layers.length === 0) return undefined;
    const view = await this.materialise();
    try {
      return await readFile(resolveInRootfs(view.dir, path), 'utf8');
    } catch {
      return undefined;
    }
  }
}
