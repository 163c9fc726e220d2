/**
 * `ImageBuilder`: build images from code, no Dockerfile needed. Each call records a step; nothing
 * happens until {@link ImageBuilder.build}, which runs the steps in order over the base image with
 * the same engine, history entries and build cache as Dockerfile builds.
 *
 * ```ts
 * const image = await ImageBuilder.scratch()
 *   .addFiles({ '/hello.txt': 'hi\n' })
 *   .cmd(['/bin/cat', '/hello.txt'])
 *   .build({ store });
 * await image.tag('hello:latest');
 * ```
 *
 * @module
 */
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { Compression } from '../image/media-types.js';
import type { HealthConfig, Platform } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';
import { envSourceDateEpoch } from '../layer/create.js';
import { buildHostPlatform, buildPlatform, setEnv } from './args.js';
import { cacheForStore, WriteOnlyCache, type BuildCache } from './cache.js';
import { BuildContext } from './context.js';
import { planInMemoryFiles } from './copy.js';
import { readIgnoreFile } from './dockerignore.js';
import { BuildError, BuildStepError } from './errors.js';
import { createBuildEmitter, type BuildEmitter, type StepInfo } from './events.js';
import type { Executor } from './executor/types.js';
import { defaultExecutor } from './executor/index.js';
import { Image, writeImage } from './image.js';
import { resolveBase } from './base.js';
import { Stage, type BuildSettings } from './stage.js';
import { addStep, copyStep, ownerFor, parseChmod, runStep, workdirStep } from './steps.js';

/** Options of {@link ImageBuilder.copy}. */
export interface CopyOptions {
  chown?: string;
  chmod?: string;
  /** Copy from another image (a reference, or a built {@link Image}) instead of the context. */
  from?: string | Image;
  exclude?: string[];
  parents?: boolean;
}

/** Options of {@link ImageBuilder.add}. */
export interface AddOptions {
  chown?: string;
  chmod?: string;
  /** Expected digest of a URL source (`sha256:...`). */
  checksum?: string;
}

/** Options of {@link ImageBuilder.run}. */
export interface RunOptions {
  network?: 'host' | 'none';
  /** Extra environment for this command only (not saved in the image). */
  env?: Record<string, string>;
}

/** Options of {@link ImageBuilder.healthcheck}; durations in seconds. */
export interface HealthcheckOptions {
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}

/** Options of {@link ImageBuilder.build}. */
export interface BuilderBuildOptions {
  store: ImageStore;
  /** Defaults to the store's own cache; `false` disables reading it. */
  cache?: BuildCache | false;
  executor?: Executor;
  /** Directory COPY sources are read from (default: the builder's `context` or the current directory). */
  context?: string;
  /** Layer compression (default gzip). */
  compression?: Compression;
  /** Compression level (default gzip 1, zstd 3). */
  compressionLevel?: number;
  /** `oci` (default) or `docker` media types. */
  family?: 'oci' | 'docker';
  /** Seconds since the epoch for every timestamp (default: `$SOURCE_DATE_EPOCH`). */
  sourceDateEpoch?: number;
  /** Where RUN output goes besides the `output` event. */
  onOutput?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  network?: 'host' | 'none';
}

type StepFn = (stage: Stage, env: StepEnv) => Promise<boolean | void>;

interface StepEnv {
  context: () => BuildContext;
  options: BuilderBuildOptions;
  info: StepInfo;
}

interface RecordedStep {
  text: string;
  fn: StepFn;
}

type BaseSpec = { kind: 'scratch' } | { kind: 'ref'; ref: string } | { kind: 'image'; image: Image };

function shellForm(shell: string[] | undefined, command: string): string[] {
  return [...(shell?.length ? shell : ['/bin/sh', '-c']), command];
}

function seconds(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 1e9);
}

/** A fluent, lazily executed image build. */
export class ImageBuilder {
  /** Progress of {@link build}: `step`, `step-done`, `output`, ... */
  readonly events: BuildEmitter = createBuildEmitter();
  private readonly steps: RecordedStep[] = [];
  private readonly annotations: Record<string, string> = {};
  private contextDir: string | undefined;

  private constructor(
    private readonly base: BaseSpec,
    private readonly platform: Platform | undefined,
  ) {}

  /** Starts from an image: a reference (store first, then registry) or a built {@link Image}. */
  static from(base: string | Image, options: { platform?: string | Platform; context?: string } = {}): ImageBuilder {
    const platform = typeof options.platform === 'string' ? buildPlatform(options.platform) : options.platform;
    const builder = new ImageBuilder(typeof base === 'string' ? { kind: 'ref', ref: base } : { kind: 'image', image: base }, platform);
    if (options.context) builder.contextDir = resolve(options.context);
    return builder;
  }

  /** Starts from nothing (`FROM scratch`). */
  static scratch(options: { platform?: string | Platform; context?: string } = {}): ImageBuilder {
    const platform = typeof options.platform === 'string' ? buildPlatform(options.platform) : options.platform;
    const builder = new ImageBuilder({ kind: 'scratch' }, platform);
    if (options.context) builder.contextDir = resolve(options.context);
    return builder;
  }

  private step(text: string, fn: StepFn): this {
    this.steps.push({ text, fn });
    return this;
  }

  private meta(text: string, mutate: (stage: Stage) => void): this {
    return this.step(text, async (stage) => {
      stage.meta(text, () => mutate(stage));
    });
  }

  /** Sets environment variables (`ENV`). */
  env(name: string | Record<string, string>, value?: string): this {
    const pairs: [string, string][] = typeof name === 'string' ? [[name, value ?? '']] : Object.entries(name);
    return this.meta(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (stage) => {
      for (const [k, v] of pairs) stage.container.Env = setEnv(stage.container.Env, k, v);
    });
  }

  /** Sets (and creates) the working directory (`WORKDIR`). */
  workdir(dir: string): this {
    return this.step(`WORKDIR ${dir}`, async (stage) => workdirStep(stage, dir, `WORKDIR ${dir}`));
  }

  /** Sets the user (`USER`). */
  user(user: string): this {
    return this.meta(`USER ${user}`, (stage) => void (stage.container.User = user));
  }

  /** Sets labels (`LABEL`). */
  label(name: string | Record<string, string>, value?: string): this {
    const pairs: [string, string][] = typeof name === 'string' ? [[name, value ?? '']] : Object.entries(name);
    return this.meta(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (stage) => {
      stage.container.Labels = { ...stage.container.Labels, ...Object.fromEntries(pairs) };
    });
  }

  /** Adds a manifest annotation (OCI manifests only). */
  annotation(name: string, value: string): this {
    this.annotations[name] = value;
    return this;
  }

  /** Declares exposed ports (`EXPOSE 80`, `EXPOSE 53/udp`). */
  expose(...ports: (number | string)[]): this {
    const keys = ports.map((p) => (String(p).includes('/') ? String(p).toLowerCase() : `${p}/tcp`));
    return this.meta(`EXPOSE ${keys.join(' ')}`, (stage) => {
      const exposed = { ...stage.container.ExposedPorts };
      for (const key of keys) exposed[key] = {};
      stage.container.ExposedPorts = exposed;
    });
  }

  /** Declares volumes (`VOLUME`). */
  volume(...paths: string[]): this {
    return this.meta(`VOLUME ${JSON.stringify(paths)}`, (stage) => {
      const volumes = { ...stage.container.Volumes };
      for (const p of paths) volumes[p] = {};
      stage.container.Volumes = volumes;
    });
  }

  /** Sets the command: an argv (exec form) or a string run by the shell (shell form). */
  cmd(command: string[] | string): this {
    return this.step(`CMD ${JSON.stringify(command)}`, async (stage) => {
      const args = typeof command === 'string' ? shellForm(stage.container.Shell, command) : command;
      stage.meta(`CMD ${JSON.stringify(args)}`, (c) => void (c.Cmd = args));
    });
  }

  /** Sets the entrypoint (and, as Docker does, clears an inherited CMD). */
  entrypoint(command: string[] | string): this {
    return this.step(`ENTRYPOINT ${JSON.stringify(command)}`, async (stage) => {
      const args = typeof command === 'string' ? shellForm(stage.container.Shell, command) : command;
      stage.meta(`ENTRYPOINT ${JSON.stringify(args)}`, (c) => {
        c.Entrypoint = args;
        c.Cmd = null;
      });
    });
  }

  /** Sets the shell used by shell-form commands (`SHELL`). */
  shell(shell: string[]): this {
    return this.meta(`SHELL ${JSON.stringify(shell)}`, (stage) => void (stage.container.Shell = shell));
  }

  /** Sets the health check (`HEALTHCHECK CMD ...`), or disables it with `'NONE'`. */
  healthcheck(command: string[] | string | 'NONE', options: HealthcheckOptions = {}): this {
    return this.step(`HEALTHCHECK ${JSON.stringify(command)}`, async (stage) => {
      const test = command === 'NONE' ? ['NONE'] : typeof command === 'string' ? ['CMD-SHELL', command] : ['CMD', ...command];
      const health: HealthConfig = { Test: test };
      const set = (key: keyof HealthConfig, value: number | undefined) => {
        if (value !== undefined) (health as Record<string, unknown>)[key] = value;
      };
      set('Interval', seconds(options.interval));
      set('Timeout', seconds(options.timeout));
      set('StartPeriod', seconds(options.startPeriod));
      set('StartInterval', seconds(options.startInterval));
      set('Retries', options.retries);
      stage.meta(`HEALTHCHECK ${JSON.stringify(health)}`, (c) => void (c.Healthcheck = health));
    });
  }

  /** Sets the stop signal (`STOPSIGNAL`). */
  stopSignal(signal: string): this {
    return this.meta(`STOPSIGNAL ${signal}`, (stage) => void (stage.container.StopSignal = signal));
  }

  /** Adds an ONBUILD trigger (a Dockerfile instruction run by builds that use this image as base). */
  onbuild(instruction: string): this {
    return this.meta(`ONBUILD ${instruction}`, (stage) => {
      stage.container.OnBuild = [...(stage.container.OnBuild ?? []), instruction];
    });
  }

  /** Copies files from the context (or from another image with `from`) into the image. */
  copy(source: string | string[], dest: string, options: CopyOptions = {}): this {
    const sources = Array.isArray(source) ? source : [source];
    const flags = [
      options.from ? `--from=${typeof options.from === 'string' ? options.from : options.from.digest}` : '',
      options.chown ? `--chown=${options.chown}` : '',
      options.chmod ? `--chmod=${options.chmod}` : '',
      options.parents ? '--parents' : '',
      ...(options.exclude ?? []).map((e) => `--exclude=${e}`),
    ].filter(Boolean);
    const text = `COPY ${[...flags, ...sources, dest].join(' ')}`;
    return this.step(text, async (stage, env) => {
      if (!options.from) return copyStep(stage, env.context(), { ...options, sources, dest }, text, '');
      const other = await this.materialiseFrom(stage, options.from, env.options);
      try {
        return await copyStep(stage, other.context, { ...options, sources, dest }, text, other.key);
      } finally {
        await other.dispose();
      }
    });
  }

  private async materialiseFrom(stage: Stage, from: string | Image, options: BuilderBuildOptions) {
    const base =
      typeof from === 'string'
        ? await resolveBase(options.store, from, stage.settings.platform, { events: this.events, signal: options.signal })
        : { descriptor: from.descriptor, manifest: from.manifest!, config: from.config! };
    const source = Stage.fromImage(stage.settings, base.config, base.manifest.layers, base.descriptor.digest);
    const view = await source.materialise();
    return { context: new BuildContext(view.dir, [], true), key: base.descriptor.digest, dispose: () => source.dropView() };
  }

  /** Like copy, but also downloads URLs and extracts local tar archives (`ADD`). */
  add(source: string | string[], dest: string, options: AddOptions = {}): this {
    const sources = Array.isArray(source) ? source : [source];
    const flags = [
      options.checksum ? `--checksum=${options.checksum}` : '',
      options.chown ? `--chown=${options.chown}` : '',
      options.chmod ? `--chmod=${options.chmod}` : '',
    ].filter(Boolean);
    const text = `ADD ${[...flags, ...sources, dest].join(' ')}`;
    return this.step(text, (stage, env) => addStep(stage, env.context(), { ...options, sources, dest }, text, ''));
  }

  /**
   * Adds in-memory files: `{ '/etc/motd': 'hello\n' }`. Relative paths are relative to WORKDIR.
   * `mode` applies to every file (default 0644).
   */
  addFiles(files: Record<string, string | Uint8Array>, options: { chown?: string; chmod?: string } = {}): this {
    const digest = createHash('sha256');
    for (const [name, content] of Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      digest.update(`${name}\0`);
      digest.update(content);
      digest.update('\0');
    }
    const summary = Object.keys(files).join(' ');
    const text = `COPY ${options.chown ? `--chown=${options.chown} ` : ''}${options.chmod ? `--chmod=${options.chmod} ` : ''}(in-memory) ${summary}`;
    const contentHash = digest.digest('hex');
    return this.step(text, async (stage) =>
      stage.entriesStep(text, [contentHash, stage.container.WorkingDir ?? ''], async () => {
        const owner = await ownerFor(stage, options.chown);
        return planInMemoryFiles(files, {
          workdir: stage.container.WorkingDir ?? '/',
          uid: owner.uid,
          gid: owner.gid,
          chmod: parseChmod(options.chmod),
          epoch: stage.settings.epoch,
          now: stage.settings.now.getTime() / 1000,
          rootfs: stage.rootfsQuery(),
        });
      }),
    );
  }

  /** Runs a command over the image's file system; its changes become a layer (`RUN`). */
  run(command: string | string[], options: RunOptions = {}): this {
    const text = `RUN ${typeof command === 'string' ? command : JSON.stringify(command)}`;
    return this.step(text, async (stage, env) => {
      const args = typeof command === 'string' ? shellForm(stage.container.Shell, command) : command;
      let runEnv = [...(stage.container.Env ?? [])];
      for (const [k, v] of Object.entries(options.env ?? {})) runEnv = setEnv(runEnv, k, v);
      const createdBy = `RUN ${args.join(' ')}`;
      return runStep(
        stage,
        {
          args,
          env: runEnv,
          network: options.network ?? env.options.network,
          onOutput: (chunk) => {
            this.events.emit('output', { ...env.info, chunk });
            env.options.onOutput?.(chunk);
          },
        },
        createdBy,
      );
    });
  }

  /**
   * Mutates a materialised rootfs with your own code; the difference becomes a layer (like
   * `docker commit`). `key` identifies the change for the build cache: without it the step never
   * hits the cache, since the function's effect cannot be known in advance.
   */
  changes(mutate: (rootfs: string) => Promise<void> | void, options: { description?: string; key?: string } = {}): this {
    const text = options.description ?? 'changes()';
    return this.step(text, async (stage) =>
      stage.rootfsStep(text, [options.key ?? `uncached:${Date.now()}:${Math.random()}`], async (rootfs) => {
        await mutate(rootfs);
      }),
    );
  }

  /** Adds a whole directory as one layer, its contents at `dest` (default `/`), owners and modes kept. */
  commitDir(dir: string, options: { dest?: string } = {}): this {
    const dest = options.dest ?? '/';
    const text = `COPY ${dir} ${dest}`;
    return this.step(text, async (stage) => {
      const context = new BuildContext(dir);
      return copyStep(stage, context, { sources: ['.'], dest: dest.endsWith('/') ? dest : `${dest}/` }, text, '');
    });
  }

  /** Runs the recorded steps and writes the image to `options.store`. */
  async build(options: BuilderBuildOptions): Promise<Image> {
    const store = options.store;
    const platform = this.platform ?? (this.base.kind === 'image' && this.base.image.config ? platformOfConfig(this.base.image.config) : buildHostPlatform());
    const inner = options.cache === false ? new WriteOnlyCache(cacheForStore(store)) : (options.cache ?? cacheForStore(store));
    let executor: Executor | undefined = options.executor;
    const settings: BuildSettings = {
      store,
      cache: inner,
      useCache: options.cache !== false,
      executor: () => (executor ??= defaultExecutor()),
      compression: options.compression ?? 'gzip',
      compressionLevel: options.compressionLevel,
      family: options.family ?? 'oci',
      epoch: options.sourceDateEpoch ?? envSourceDateEpoch(),
      now: new Date(),
      platform,
      events: this.events,
      network: options.network ?? 'host',
      signal: options.signal,
      historyComment: undefined,
    };
    let stage: Stage;
    if (this.base.kind === 'scratch') stage = Stage.scratch(settings);
    else if (this.base.kind === 'image') {
      const image = this.base.image;
      if (!image.manifest || !image.config) throw new BuildError('ERR_BASE_IS_INDEX', 'ImageBuilder.from() needs a single-platform image');
      stage = Stage.fromImage(settings, image.config, image.manifest.layers, image.digest);
    } else {
      const base = await resolveBase(store, this.base.ref, platform, { events: this.events, signal: options.signal });
      stage = Stage.fromImage(settings, base.config, base.manifest.layers, base.descriptor.digest);
    }
    let context: BuildContext | undefined;
    const contextDir = options.context ? resolve(options.context) : (this.contextDir ?? process.cwd());
    const env: Omit<StepEnv, 'info'> = {
      context: () => (context ??= new BuildContext(contextDir, readIgnoreFile(contextDir))),
      options,
    };
    try {
      for (const [i, step] of this.steps.entries()) {
        const info: StepInfo = { stage: '', index: i + 1, total: this.steps.length, instruction: step.text, location: `step ${i + 1}` };
        this.events.emit('step', info);
        const started = performance.now();
        let cached: boolean | void;
        try {
          cached = await step.fn(stage, { ...env, info });
        } catch (err) {
          throw new BuildStepError(info.location, step.text, err);
        }
        this.events.emit('step-done', { ...info, cached: cached === true, durationMs: performance.now() - started });
      }
      await stage.settleTimestamps();
      return await writeImage(store, stage.config, stage.layers, { family: settings.family, annotations: this.annotations });
    } finally {
      await stage.dropView();
      await inner.flush();
    }
  }
}

function platformOfConfig(config: { os: string; architecture: string; variant?: string }): Platform {
  const p: Platform = { os: config.os, architecture: config.architecture };
  if (config.variant) p.variant = config.variant;
  return p;
}

