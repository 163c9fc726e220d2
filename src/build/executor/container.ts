/**
 * `docker run` + `docker commit` without a daemon: an image's layers are extracted into a fresh
 * rootfs, the command runs over it in the sandbox, and with `commit` the filesystem changes
 * (layer.md change types, from a snapshot diff) become one new layer on top of the image. There
 * are no containers to keep: the rootfs is deleted afterwards unless `keep` names a directory.
 *
 * The command is chosen as Docker does (docker run reference, "ENTRYPOINT" / "CMD"): the
 * entrypoint (the image's, or the override, which also drops the image's Cmd) followed by the
 * given command or else the image's Cmd. Environment: the image's Env, overridden per key by
 * `env`; working directory and user: the override, else the image's.
 *
 * @module
 */
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Executor } from './types.js';
import { defaultExecutor } from './detect.js';
import { SandboxSetupError } from './errors.js';
import { InvalidInputError } from '../../errors.js';
import { extractLayers } from '../../layer/extract.js';
import { createDiffLayer, snapshotTree, type Snapshot } from '../../layer/diff.js';
import { DOCKER, type Compression } from '../../image/media-types.js';
import { appendLayer, defaultCreated } from '../../image/config.js';
import { loadImage, type LoadedImage } from '../../image/load.js';
import { saveImage } from '../../image/save.js';
import type { ContainerConfig, Descriptor, HistoryEntry } from '../../image/types.js';
import type { ImageStore } from '../../store/blob-store.js';
import { formatReference, parseReference } from '../../reference/reference.js';

/** Options of {@link runContainer}. */
export interface RunContainerOptions {
  /** The command (Docker's `docker run IMAGE CMD...`); default the image's Cmd. */
  cmd?: string[] | undefined;
  /** The command when neither `cmd` nor the image gives one (`oci-kit run -it` uses `/bin/sh`). */
  defaultCommand?: string[] | undefined;
  /** Replaces the image's Entrypoint (and drops its Cmd, as `--entrypoint` does). `[]` clears it. */
  entrypoint?: string[] | undefined;
  /** `KEY=value` entries added to the image's Env (same key: ours wins). */
  env?: string[] | undefined;
  /** Working directory (default the image's WorkingDir, else `/`). */
  workdir?: string | undefined;
  /** User (default the image's User, else root). */
  user?: string | undefined;
  /** Default `host`, as for RUN. */
  network?: 'host' | 'none' | undefined;
  /** Interactive terminal: the command shares this process's terminal (see RunRequest.tty). */
  tty?: boolean | undefined;
  stdin?: Readable | undefined;
  stdout?: Writable | undefined;
  stderr?: Writable | undefined;
  signal?: AbortSignal | undefined;
  /** Default {@link defaultExecutor}. */
  executor?: Executor | undefined;
  /** The platform to pick when the image is an index (default this machine's). */
  platform?: string | undefined;
  /** Commit the changes as a new image. */
  commit?: CommitOptions | undefined;
  /**
   * Keep the rootfs in this directory (created; must be empty) instead of deleting it. Without
   * it, the rootfs lives in a temporary directory below `tmpDir` and is always removed.
   */
  keep?: string | undefined;
  /** Where temporary rootfs directories go (default the OS temp dir). */
  tmpDir?: string | undefined;
}

/** How to commit (docker commit). */
export interface CommitOptions {
  /** Tag for the new image (e.g. `myapp:dev`); untagged when absent. */
  tag?: string | undefined;
  /** History comment (docker commit `--message`). */
  message?: string | undefined;
  /** History author (docker commit `--author`). */
  author?: string | undefined;
  /** Commit even when the command exits non-zero (docker commit would). Default false. */
  onFailure?: boolean | undefined;
  /** Layer compression (default gzip). */
  compression?: Compression | undefined;
  /** Record extended attributes such as `security.capability` (default true; reading them costs a helper process). */
  xattrs?: boolean | undefined;
}

/** The outcome of {@link runContainer}. */
export interface RunContainerResult {
  exitCode: number;
  /** The argv that ran. */
  args: string[];
  /** The committed image, when `commit` was asked for and the command succeeded (or `onFailure`). */
  committed?: LoadedImage | undefined;
  /** The full normalized tag set on the committed image. */
  tag?: string | undefined;
  /** The rootfs directory, when `keep` was given. */
  rootfs?: string | undefined;
}

/** The argv Docker would run for `config` with the given overrides (docker run reference, "CMD"). */
export function containerCommand(config: ContainerConfig | undefined, overrides: { cmd?: string[] | undefined; entrypoint?: string[] | undefined }): string[] {
  const entrypoint = overrides.entrypoint ?? config?.Entrypoint ?? [];
  const cmd = overrides.cmd !== undefined && overrides.cmd.length > 0 ? overrides.cmd : overrides.entrypoint !== undefined ? [] : (config?.Cmd ?? []);
  return [...entrypoint, ...cmd];
}

/** `base` with `extra` applied per key (later wins), in first-appearance order. */
export function mergeEnv(base: string[] | undefined, extra: string[] | undefined): string[] {
  const map = new Map<string, string>();
  for (const entry of [...(base ?? []), ...(extra ?? [])]) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    map.set(key, entry);
  }
  return [...map.values()];
}

/** The history entry of a commit: `created_by` is the command, as docker commit records it. */
export function commitHistory(args: string[], options: CommitOptions, created: string): HistoryEntry {
  return {
    created,
    created_by: args.join(' '),
    ...(options.author === undefined ? {} : { author: options.author }),
    ...(options.message === undefined ? {} : { comment: options.message }),
  };
}

/** Runs a command over `image` from `store` and optionally commits the result (see the module doc). */
export async function runContainer(store: ImageStore, image: string | Descriptor, options: RunContainerOptions = {}): Promise<RunContainerResult> {
  const base = await loadImage(store, image, options.platform === undefined ? {} : { platform: options.platform });
  const config = base.config.config ?? {};
  let args = containerCommand(config, options);
  if (args.length === 0 && options.defaultCommand) args = [...options.defaultCommand];
  if (args.length === 0) {
    throw new InvalidInputError(`no command specified: ${typeof image === 'string' ? image : image.digest} has no Entrypoint or Cmd`, {
      code: 'ERR_NO_COMMAND',
      hint: 'give the command after the image name',
    });
  }
  const { rootfs, dispose } = await prepareRootfs(options);
  try {
    await extractLayers(store, base.manifest.layers, rootfs);
    const xattrs = options.commit?.xattrs ?? true;
    const snapshot: Snapshot | undefined = options.commit ? snapshotTree(rootfs, { xattrs }) : undefined;
    const { exitCode } = await (options.executor ?? defaultExecutor()).run({
      rootfs,
      args,
      env: mergeEnv(config.Env, options.env),
      cwd: options.workdir ?? (config.WorkingDir || '/'),
      user: options.user ?? (config.User || undefined),
      network: options.network ?? 'host',
      tty: options.tty,
      stdin: options.stdin,
      stdout: options.stdout,
      stderr: options.stderr,
      signal: options.signal,
    });
    const result: RunContainerResult = { exitCode, args, ...(options.keep === undefined ? {} : { rootfs }) };
    if (options.commit && snapshot && (exitCode === 0 || options.commit.onFailure)) {
      const family = base.manifest.mediaType === DOCKER.manifest ? 'docker' : 'oci';
      const layer = await createDiffLayer(snapshot, rootfs, { store, family, xattrs, compression: options.commit.compression ?? 'gzip' });
      const created = defaultCreated();
      const newConfig = { ...appendLayer(base.config, { diffId: layer.diffId, history: commitHistory(args, options.commit, created) }), created };
      result.committed = await saveImage(store, { config: newConfig, layers: [...base.manifest.layers, layer.descriptor], family });
      if (options.commit.tag !== undefined) {
        result.tag = formatReference(parseReference(options.commit.tag));
        await store.setTag(result.tag, result.committed.descriptor);
      }
    }
    return result;
  } finally {
    await dispose();
  }
}

async function prepareRootfs(options: RunContainerOptions): Promise<{ rootfs: string; dispose: () => Promise<void> }> {
  if (options.keep !== undefined) {
    const rootfs = resolve(options.keep);
    await mkdir(rootfs, { recursive: true });
    if ((await readdir(rootfs)).length > 0) {
      throw new SandboxSetupError(`--keep directory ${rootfs} is not empty`, { hint: 'name a new or empty directory' });
    }
    return { rootfs, dispose: async () => {} };
  }
  const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'oci-kit-container-'));
  // An image USER other than root must be able to reach its rootfs.
  await chmod(dir, 0o755);
  const rootfs = join(dir, 'rootfs');
  await mkdir(rootfs, { mode: 0o755 });
  return { rootfs, dispose: () => removeTree(dir) };
}

/** Removes a rootfs, including directories the command made read-only. */
export async function removeTree(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    await makeWritable(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

async function makeWritable(dir: string): Promise<void> {
  await chmod(dir, 0o700).catch(() => {});
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await makeWritable(join(dir, entry.name));
  }
}
