/**
 * `mutate`: changes an image's execution config (config.md `config`: Entrypoint, Cmd, Env, Labels,
 * User, WorkingDir, ExposedPorts), its platform, or its manifest annotations (annotations.md), and
 * writes a new config and manifest that keep every layer as it is, like `crane mutate`.
 *
 * @module
 */
import { normalizePlatform, parsePlatform } from '../image/index.js';
import type { ContainerConfig, ImageConfig, Platform } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';
import { InvalidInputError } from '../errors.js';
import { readImage, writeImage, type SurgeryOptions, type SurgeryResult } from './rewrite.js';

/** What to change; fields left out stay as they are. */
export interface ImageMutation {
  /** `null` clears it. */
  entrypoint?: string[] | null;
  /** `null` clears it. */
  cmd?: string[] | null;
  /** `KEY=VALUE` entries set (replacing a variable of the same name); `KEY` alone removes it. */
  env?: string[];
  /** Labels set; an empty value removes the label. */
  labels?: Record<string, string>;
  /** Manifest annotations set; an empty value removes the annotation. */
  annotations?: Record<string, string>;
  user?: string;
  workdir?: string;
  /** Ports added (`8080`, `53/udp`). */
  exposedPorts?: string[];
  /** New platform (`linux/arm64/v8`) recorded in the config. */
  platform?: Platform | string;
}

/** Applies `mutation` to a copy of `config`. */
export function mutateConfig(config: ImageConfig, mutation: ImageMutation): ImageConfig {
  const exec: ContainerConfig = structuredClone(config.config ?? {});
  if (mutation.entrypoint !== undefined) exec.Entrypoint = mutation.entrypoint;
  if (mutation.cmd !== undefined) exec.Cmd = mutation.cmd;
  if (mutation.env) {
    const env = new Map((exec.Env ?? []).map((e) => [e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')), e] as const));
    for (const entry of mutation.env) {
      const eq = entry.indexOf('=');
      if (eq === 0) throw new InvalidInputError(`invalid env entry ${JSON.stringify(entry)}: expected KEY=VALUE`, { code: 'ERR_INVALID_CHANGE' });
      if (eq < 0) env.delete(entry);
      else env.set(entry.slice(0, eq), entry);
    }
    exec.Env = [...env.values()];
  }
  if (mutation.labels) exec.Labels = applyMap(exec.Labels, mutation.labels);
  if (mutation.user !== undefined) exec.User = mutation.user;
  if (mutation.workdir !== undefined) exec.WorkingDir = mutation.workdir;
  if (mutation.exposedPorts) {
    const ports = { ...(exec.ExposedPorts ?? {}) };
    for (const port of mutation.exposedPorts) {
      if (!/^\d+(?:\/(?:tcp|udp|sctp))?$/.test(port)) throw new InvalidInputError(`invalid port ${JSON.stringify(port)}: expected 80 or 53/udp`, { code: 'ERR_INVALID_CHANGE' });
      ports[port.includes('/') ? port : `${port}/tcp`] = {};
    }
    exec.ExposedPorts = ports;
  }
  const result: ImageConfig = { ...structuredClone(config), config: exec };
  if (mutation.platform !== undefined) {
    const platform = normalizePlatform(typeof mutation.platform === 'string' ? parsePlatform(mutation.platform) : mutation.platform);
    result.os = platform.os;
    result.architecture = platform.architecture;
    if (platform.variant) result.variant = platform.variant;
    else delete result.variant;
  }
  return result;
}

function applyMap(current: Record<string, string> | undefined, changes: Record<string, string>): Record<string, string> {
  const next = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Writes a mutated copy of the image `ref` names and tags it (default: the same tag). */
export async function mutateImage(store: ImageStore, ref: string, mutation: ImageMutation, options: SurgeryOptions = {}): Promise<SurgeryResult> {
  const input = await readImage(store, ref, options.platform);
  const config = mutateConfig(input.image.config, mutation);
  const annotations = mutation.annotations ? applyMap(input.image.manifest.annotations, mutation.annotations) : input.image.manifest.annotations;
  return writeImage(store, input, { config, layers: input.image.manifest.layers, annotations }, options);
}
