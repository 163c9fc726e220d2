/**
 * The image configuration (image-spec config.md, and the fields Docker writes in
 * `application/vnd.docker.container.image.v1+json`): validation of untrusted bytes, the builder,
 * and helpers to append layers and history the way builders do.
 *
 * @module
 */
import type { Digest } from '../digest/digest.js';
import {
  describe,
  expectArray,
  expectDigest,
  expectObject,
  expectString,
  expectStringArray,
  expectStringMap,
  join,
  optionalBoolean,
  optionalString,
  optionalStringArray,
  type Fail,
  type JsonObject,
} from './check.js';
import { InvalidConfigError } from './errors.js';
import { parseJsonBytes } from './json.js';
import { hostPlatform, parsePlatform } from './platform.js';
import type { ContainerConfig, HistoryEntry, ImageConfig, Platform } from './types.js';

const fail: Fail = (field, problem, cause) => new InvalidConfigError(field, problem, cause === undefined ? {} : { cause });

// RFC 3339 date-time, as config.md requires for `created` (Go writes up to nanoseconds).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Container config fields that may be JSON `null` and keep that meaning (Docker writes them so). */
const NULLABLE = new Set(['Entrypoint', 'Cmd', 'OnBuild']);

/** Parses and validates an image configuration. Throws `ERR_INVALID_CONFIG` naming the field. */
export function parseImageConfig(input: Uint8Array | string): ImageConfig {
  return validateImageConfig(parseJsonBytes(input, fail));
}

/**
 * Validates an image configuration and returns a normalized copy: JSON `null` in optional fields that
 * have no null meaning (old Docker writes `"Labels": null`, `"history": null`, ...) is dropped.
 * Fields oci-kit does not model (Docker's `container_config`, `docker_version`, ...) are kept.
 */
export function validateImageConfig(value: unknown): ImageConfig {
  const obj = { ...expectObject(value, '$', fail) };
  for (const key of ['architecture', 'os'] as const) {
    if (typeof obj[key] !== 'string' || obj[key] === '') throw fail(key, `must be a non-empty string, got ${describe(obj[key])}`);
  }
  dropNulls(obj, ['created', 'author', 'os.version', 'os.features', 'variant', 'config', 'history']);
  if (obj.created !== undefined) checkTime(obj.created, 'created');
  optionalString(obj, 'author', '$', fail);
  optionalString(obj, 'os.version', '$', fail);
  optionalString(obj, 'variant', '$', fail);
  optionalStringArray(obj, 'os.features', '$', fail);
  if (obj.config !== undefined) obj.config = validateContainerConfig(obj.config, 'config');
  const rootfs = expectObject(obj.rootfs, 'rootfs', fail);
  if (rootfs.type !== 'layers') throw fail('rootfs.type', `must be "layers", got ${describe(rootfs.type)}`);
  // Docker writes "diff_ids": null for an image without layers.
  const diffIds = rootfs.diff_ids === null ? [] : expectArray(rootfs.diff_ids, 'rootfs.diff_ids', fail);
  diffIds.forEach((diffId, i) => expectDigest(diffId, `rootfs.diff_ids[${i}]`, fail));
  obj.rootfs = { ...rootfs, diff_ids: diffIds };
  if (obj.history !== undefined) {
    obj.history = expectArray(obj.history, 'history', fail).map((entry, i) => validateHistory(entry, `history[${i}]`));
  }
  return obj as unknown as ImageConfig;
}

function validateContainerConfig(value: unknown, path: string): ContainerConfig {
  const obj = { ...expectObject(value, path, fail) };
  for (const [key, item] of Object.entries(obj)) if (item === null && !NULLABLE.has(key)) delete obj[key];
  for (const key of ['User', 'WorkingDir', 'StopSignal']) optionalString(obj, key, path, fail);
  for (const key of ['Env', 'Shell']) optionalStringArray(obj, key, path, fail);
  for (const key of ['Entrypoint', 'Cmd', 'OnBuild']) {
    if (obj[key] !== undefined && obj[key] !== null) expectStringArray(obj[key], join(path, key), fail);
  }
  for (const key of ['ExposedPorts', 'Volumes']) {
    if (obj[key] === undefined) continue;
    const set = expectObject(obj[key], join(path, key), fail);
    for (const [name, item] of Object.entries(set)) expectObject(item, join(join(path, key), name), fail);
  }
  if (obj.ExposedPorts !== undefined) {
    for (const port of Object.keys(obj.ExposedPorts as JsonObject)) {
      if (!/^\d{1,5}(?:-\d{1,5})?(?:\/(?:tcp|udp|sctp))?$/i.test(port)) {
        throw fail(join(join(path, 'ExposedPorts'), port), 'must be "port/protocol", e.g. "80/tcp"');
      }
    }
  }
  if (obj.Labels !== undefined) expectStringMap(obj.Labels, join(path, 'Labels'), fail);
  optionalBoolean(obj, 'ArgsEscaped', path, fail);
  if (obj.Healthcheck !== undefined) {
    const field = join(path, 'Healthcheck');
    const health = expectObject(obj.Healthcheck, field, fail);
    optionalStringArray(health, 'Test', field, fail);
    for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries']) {
      const item = health[key];
      if (item !== undefined && (typeof item !== 'number' || !Number.isInteger(item) || item < 0)) {
        throw fail(join(field, key), `must be a non-negative integer, got ${describe(item)}`);
      }
    }
  }
  return obj as ContainerConfig;
}

function validateHistory(value: unknown, path: string): HistoryEntry {
  const obj = { ...expectObject(value, path, fail) };
  dropNulls(obj, ['created', 'author', 'created_by', 'comment', 'empty_layer']);
  if (obj.created !== undefined) checkTime(obj.created, join(path, 'created'));
  for (const key of ['author', 'created_by', 'comment']) optionalString(obj, key, path, fail);
  optionalBoolean(obj, 'empty_layer', path, fail);
  return obj as HistoryEntry;
}

function checkTime(value: unknown, field: string): void {
  const text = expectString(value, field, fail);
  if (!RFC3339.test(text)) throw fail(field, `must be an RFC 3339 date-time, got ${JSON.stringify(text)}`);
}

function dropNulls(obj: JsonObject, keys: string[]): void {
  for (const key of keys) if (obj[key] === null) delete obj[key];
}

/** Options for {@link createConfig}. */
export interface CreateConfigOptions {
  /** The image platform (object or `os/arch[/variant]`). Default: {@link hostPlatform}. */
  platform?: Platform | string;
  /**
   * Creation time. Default: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
   * `null` leaves the field out.
   */
  created?: string | Date | null;
  author?: string;
  /** Execution parameters (Env, Cmd, Entrypoint, ...). Default `{}`. */
  config?: ContainerConfig;
  /** Uncompressed layer digests, bottom first. Default none. */
  diffIds?: Digest[];
  history?: HistoryEntry[];
  /** Environment to read `SOURCE_DATE_EPOCH` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Builds an image configuration with fields in the image-spec's order and sensible defaults. */
export function createConfig(options: CreateConfigOptions = {}): ImageConfig {
  const platform = options.platform === undefined ? hostPlatform() : typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
  const created = options.created === null ? undefined : options.created === undefined ? defaultCreated(options.env) : toTime(options.created);
  const config: ImageConfig = {
    ...(created === undefined ? {} : { created }),
    ...(options.author === undefined ? {} : { author: options.author }),
    architecture: platform.architecture,
    os: platform.os,
    ...(platform['os.version'] === undefined ? {} : { 'os.version': platform['os.version'] }),
    ...(platform['os.features'] === undefined ? {} : { 'os.features': [...platform['os.features']] }),
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
    config: { ...(options.config ?? {}) },
    rootfs: { type: 'layers', diff_ids: [...(options.diffIds ?? [])] },
    history: [...(options.history ?? [])],
  };
  return validateImageConfig(config);
}

/**
 * The creation time builders should write: `SOURCE_DATE_EPOCH` (seconds since the epoch) when set,
 * so that builds are reproducible, else the current time. RFC 3339 in UTC.
 */
export function defaultCreated(env: Record<string, string | undefined> = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) {
      throw new InvalidConfigError('created', `SOURCE_DATE_EPOCH must be a whole number of seconds, got ${JSON.stringify(epoch)}`);
    }
    return new Date(Number(epoch) * 1000).toISOString().replace('.000Z', 'Z');
  }
  return new Date().toISOString();
}

function toTime(value: string | Date): string {
  return typeof value === 'string' ? value : value.toISOString();
}

/** Options for {@link appendLayer}. */
export interface AppendLayerOptions {
  diffId: Digest;
  /** The history entry of the step that made the layer (`created_by`, ...). */
  history?: Omit<HistoryEntry, 'empty_layer'>;
}

/** A copy of `config` with one more layer on top, and its history entry. */
export function appendLayer(config: ImageConfig, options: AppendLayerOptions): ImageConfig {
  return {
    ...config,
    rootfs: { type: 'layers', diff_ids: [...config.rootfs.diff_ids, options.diffId] },
    history: [...(config.history ?? []), { ...(options.history ?? {}) }],
  };
}

/** A copy of `config` with a history entry for a step that made no layer (`ENV`, `CMD`, ...). */
export function appendEmptyLayerHistory(config: ImageConfig, entry: Omit<HistoryEntry, 'empty_layer'>): ImageConfig {
  return { ...config, history: [...(config.history ?? []), { ...entry, empty_layer: true }] };
}
