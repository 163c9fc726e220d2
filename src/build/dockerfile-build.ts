/**
 * `buildDockerfile`: interprets a Dockerfile the way BuildKit's dockerfile frontend does
 * (Dockerfile reference; BuildKit frontend/dockerfile/dockerfile2llb):
 *
 * - variables are expanded only in ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME,
 *   WORKDIR (and ONBUILD triggers of those, when they run); never in RUN, CMD, ENTRYPOINT;
 * - ARG scoping, global ARGs, ENV winning over ARG, predefined platform ARGs: see args.ts;
 * - stages named or by index; only the stages the target needs are built, independent ones in
 *   parallel; a dependency cycle is an error;
 * - ONBUILD triggers of a base image run right after its FROM, and are not inherited further;
 * - ENTRYPOINT clears a CMD inherited from the base (not one set earlier in the same stage);
 * - history entries carry BuildKit's `created_by` forms and comment `buildkit.dockerfile.v0`;
 * - several platforms build one image each and an index over them;
 * - tags are set only after the whole build succeeded.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { Compression } from '../image/media-types.js';
import type { HealthConfig, Platform } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';
import { envSourceDateEpoch } from '../layer/create.js';
import { parseDockerfile, splitStages, type Stage as DockerfileStage } from '../dockerfile/parse.js';
import type { Instruction, RunInstruction, CopyInstruction, AddInstruction } from '../dockerfile/instructions.js';
import { expandWord, expandWords } from '../dockerfile/shell-lexer.js';
import { parseHeredocWord } from '../dockerfile/tree.js';
import { goQuote } from '../dockerfile/dump.js';
import { formatReference, parseReference } from '../reference/reference.js';
import { ANNOTATIONS } from '../image/types.js';
import { ArgScope, buildHostPlatform, buildPlatform, platformArgs, resolveBuildArgs, setEnv } from './args.js';
import { formatPlatform } from '../image/platform.js';
import { cacheForStore, WriteOnlyCache, type BuildCache } from './cache.js';
import { BuildContext } from './context.js';
import { planInMemoryFiles, destinationIsDirectory } from './copy.js';
import { readIgnoreFile } from './dockerignore.js';
import { BuildError, BuildStepError } from './errors.js';
import { createBuildEmitter, type BuildEmitter, type StepInfo } from './events.js';
import type { Executor, RunMount } from './executor/types.js';
import { defaultExecutor } from './executor/index.js';
import { Image, writeImage, writeIndex } from './image.js';
import { resolveBase } from './base.js';
import { Stage, type BuildSettings } from './stage.js';
import { addStep, copyStep, ownerFor, parseChmod, runStep, workdirStep } from './steps.js';
import { cacheMountRoot, materializeBindSource, prepareCacheMount, removeView, resolveBindSource } from './run-mounts.js';

/** Options of {@link buildDockerfile}. */
export interface DockerfileBuildOptions {
  /** The context directory. */
  context: string;
  /** Path of the Dockerfile (default `<context>/Dockerfile`). */
  dockerfile?: string;
  /** The Dockerfile's text, instead of reading a file (`-f -`). */
  dockerfileText?: string;
  /** `--build-arg` values; a name without value (`['HTTP_PROXY']`, `{X: undefined}`) takes `env`'s. */
  buildArgs?: Record<string, string | undefined> | string[];
  /** The stage to build (default: the last). */
  target?: string;
  /** Platforms (`linux/amd64`); several give an index. Default: this machine's. */
  platforms?: (string | Platform)[];
  store: ImageStore;
  executor?: Executor;
  /** The build cache (default: the store's); `false` = `--no-cache`. */
  cache?: BuildCache | false;
  /** RUN's default network (`host`, like Docker; `none` isolates). */
  network?: 'host' | 'none';
  /** References to tag the result with, once the build succeeded. */
  tags?: string[];
  compression?: Compression;
  /** Compression level (default gzip 1, zstd 3). */
  compressionLevel?: number;
  family?: 'oci' | 'docker';
  /** Timestamps for every layer and history entry (default `$SOURCE_DATE_EPOCH`). */
  sourceDateEpoch?: number;
  /** Progress events (a new emitter when not given; also returned on the result). */
  events?: BuildEmitter;
  /** Environment for `--build-arg NAME` without a value (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** A stage's finished state, for FROM <stage> and COPY --from. */
interface StageResult {
  stage: Stage;
}

function shellOf(stage: Stage): string[] {
  const shell = stage.container.Shell;
  return shell && shell.length > 0 ? shell : ['/bin/sh', '-c'];
}

/** The Docker-style `created_by` of RUN, with the `|N K=V` prefix when build args are in play. */
function runCreatedBy(args: string[], buildArgs: string[]): string {
  const prefix = buildArgs.length > 0 ? `|${buildArgs.length} ${buildArgs.join(' ')} ` : '';
  return `RUN ${prefix}${args.join(' ')} # buildkit`;
}

/** Builds a Dockerfile; returns the image (or the index, for several platforms). */
export async function buildDockerfile(options: DockerfileBuildOptions): Promise<Image> {
  // Bad tags fail before any work, as with docker build.
  for (const tag of options.tags ?? []) parseReference(tag);
  const contextDir = resolve(options.context);
  const dockerfilePath = options.dockerfileText !== undefined ? undefined : resolve(options.dockerfile ?? join(contextDir, 'Dockerfile'));
  if (dockerfilePath && !existsSync(dockerfilePath)) {
    throw new BuildError('ERR_DOCKERFILE_NOT_FOUND', `no Dockerfile at ${dockerfilePath}`, { hint: 'pass -f PATH, or add a Dockerfile to the context' });
  }
  const text = options.dockerfileText ?? readFileSync(dockerfilePath!, 'utf8');
  const filename = dockerfilePath ? basename(dockerfilePath) : 'Dockerfile';
  const dockerfile = parseDockerfile(text, { filename });
  const stages = splitStages(dockerfile);
  const events = options.events ?? createBuildEmitter();
  for (const w of dockerfile.warnings) events.emit('warning', `${filename}:${w.range.start.line}: ${w.message}`);
  const ignore = readIgnoreFile(contextDir, dockerfilePath);
  const context = new BuildContext(contextDir, ignore);
  const platforms = (options.platforms?.length ? options.platforms : [buildHostPlatform()]).map((p) => buildPlatform(p));
  const baseCache = cacheForStore(options.store);
  const cache = options.cache === false ? new WriteOnlyCache(baseCache) : (options.cache ?? baseCache);
  let executor = options.executor;
  const buildArgs = resolveBuildArgs(options.buildArgs ?? {}, options.env ?? process.env);
  const now = new Date();
  const epoch = options.sourceDateEpoch ?? envSourceDateEpoch();
  try {
    const images: Image[] = [];
    for (const platform of platforms) {
      const settings: BuildSettings = {
        store: options.store,
        cache,
        useCache: options.cache !== false,
        executor: () => (executor ??= defaultExecutor()),
        compression: options.compression ?? 'gzip',
        compressionLevel: options.compressionLevel,
        family: options.family ?? 'oci',
        epoch,
        now,
        platform,
        events,
        network: options.network ?? 'host',
        signal: options.signal,
        historyComment: 'buildkit.dockerfile.v0',
      };
      const engine = new DockerfileEngine(settings, stages, context, buildArgs, filename, platforms.length > 1 ? formatPlatform(platform) : undefined);
      images.push(await engine.build(options.target));
    }
    const result = images.length === 1 ? images[0]! : await writeIndex(options.store, images, options.family ?? 'oci');
    for (const tag of options.tags ?? []) await result.tag(tag);
    return result;
  } finally {
    await cache.flush();
  }
}

/** Runs the stages of one platform. */
class DockerfileEngine {
  private readonly scope: ArgScope;
  private readonly results = new Map<number, Promise<StageResult>>();
  private readonly byName = new Map<string, number>();
  private stepCounter = 0;
  /** The image each stage is ultimately built on (absent for scratch). */
  private readonly bases = new WeakMap<Stage, { name: string; digest: string }>();
  private total = 0;
  private readonly opened: Stage[] = [];

  constructor(
    private readonly settings: BuildSettings,
    private readonly parsed: { globalArgs: Instruction[]; stages: DockerfileStage[] },
    private readonly context: BuildContext,
    buildArgs: ReadonlyMap<string, string>,
    private readonly filename: string,
    private readonly platformLabel: string | undefined,
  ) {
    this.scope = new ArgScope(buildArgs, platformArgs(settings.platform, buildHostPlatform()));
    for (const instruction of parsed.globalArgs) {
      if (instruction.kind !== 'ARG') continue;
      for (const arg of instruction.args) {
        const value = arg.defaultValue === undefined ? undefined : expandWord(arg.defaultValue, this.scope.lookupGlobal).value;
        this.scope.declareGlobal(arg.name, value);
      }
    }
    for (const stage of parsed.stages) if (stage.name !== undefined && !this.byName.has(stage.name)) this.byName.set(stage.name, stage.index);
  }

  private location(instruction: Instruction): string {
    return `${this.filename}:${instruction.range.start.line}`;
  }

  /** The stage index a FROM operand or --from value names, if it names one. */
  private stageRef(name: string, before?: number): number | undefined {
    const lower = name.toLowerCase();
    const named = this.byName.get(lower);
    if (named !== undefined && (before === undefined || named < before)) return named;
    if (/^\d+$/.test(name)) {
      const index = Number(name);
      if (index < this.parsed.stages.length) return index;
    }
    return undefined;
  }

  /** Stages a stage depends on: its FROM stage and COPY --from stages. */
  private dependencies(stage: DockerfileStage): number[] {
    const deps = new Set<number>();
    const base = expandWord(stage.base, this.scope.lookupGlobal).value;
    const fromStage = this.stageRef(base, stage.index);
    if (fromStage !== undefined) deps.add(fromStage);
    for (const instruction of stage.instructions) {
      const from = instruction.kind === 'COPY' ? instruction.from : undefined;
      if (from !== undefined) {
        const ref = this.stageRef(expandWord(from, this.scope.lookupGlobal).value);
        if (ref !== undefined) deps.add(ref);
      }
      if (instruction.kind === 'RUN') {
        for (const mount of instruction.mounts) {
          if (mount.from !== undefined) {
            const ref = this.stageRef(expandWord(mount.from, this.scope.lookupGlobal).value);
            if (ref !== undefined) deps.add(ref);
          }
        }
      }
    }
    return [...deps];
  }

  /** Builds the target stage and everything it needs. */
  async build(target: string | undefined): Promise<Image> {
    const stages = this.parsed.stages;
    let targetIndex = stages.length - 1;
    if (target !== undefined) {
      const found = this.stageRef(target);
      if (found === undefined) {
        throw new BuildError('ERR_TARGET_NOT_FOUND', `target stage "${target}" could not be found`, {
          hint: `stages: ${stages.map((s) => s.name ?? String(s.index)).join(', ')}`,
        });
      }
      targetIndex = found;
    }
    // Which stages are needed, and no cycles among them.
    const needed = new Set<number>();
    const visiting = new Set<number>();
    const visit = (index: number, path: number[]): void => {
      if (visiting.has(index)) {
        const cycle = [...path.slice(path.indexOf(index)), index].map((i) => stages[i]!.name ?? String(i));
        throw new BuildError('ERR_STAGE_CYCLE', `circular dependency between stages: ${cycle.join(' -> ')}`);
      }
      if (needed.has(index)) return;
      visiting.add(index);
      for (const dep of this.dependencies(stages[index]!)) visit(dep, [...path, index]);
      visiting.delete(index);
      needed.add(index);
    };
    visit(targetIndex, []);
    this.total = [...needed].reduce((n, i) => n + 1 + stages[i]!.instructions.length, 0);
    try {
      const result = await this.stageResult(targetIndex);
      const stage = result.stage;
      await stage.settleTimestamps();
      const unused = this.scope.unconsumed();
      if (unused.length > 0) this.settings.events.emit('warning', `one or more build-args [${unused.join(' ')}] were not consumed`);
      // As BuildKit does, the manifest names the final stage's base image (not for scratch), which
      // lets `oci-kit rebase` find it (image-spec annotations.md, "Pre-Defined Annotation Keys").
      const base = this.bases.get(stage);
      const annotations = base ? { [ANNOTATIONS.baseName]: base.name, [ANNOTATIONS.baseDigest]: base.digest } : undefined;
      return await writeImage(this.settings.store, stage.config, stage.layers, { family: this.settings.family, annotations });
    } finally {
      await Promise.all(this.opened.map((s) => s.dropView()));
    }
  }

  private stageResult(index: number): Promise<StageResult> {
    let promise = this.results.get(index);
    if (!promise) {
      promise = (async () => {
        const deps = this.dependencies(this.parsed.stages[index]!);
        await Promise.all(deps.map((d) => this.stageResult(d)));
        return this.runStage(this.parsed.stages[index]!);
      })();
      this.results.set(index, promise);
    }
    return promise;
  }

  private info(stage: DockerfileStage, instruction: Instruction, text?: string): StepInfo {
    const info: StepInfo = {
      stage: stage.name ?? (this.parsed.stages.length > 1 ? `stage-${stage.index}` : ''),
      index: ++this.stepCounter,
      total: this.total,
      instruction: text ?? instruction.original.trim(),
      location: this.location(instruction),
    };
    if (this.platformLabel) info.platform = this.platformLabel;
    return info;
  }

  private async step(info: StepInfo, instruction: Instruction, fn: () => Promise<boolean | void>): Promise<void> {
    this.settings.events.emit('step', info);
    const started = performance.now();
    let cached: boolean | void;
    try {
      cached = await fn();
    } catch (err) {
      throw new BuildStepError(info.location, instruction.original.trim(), err);
    }
    this.settings.events.emit('step-done', { ...info, cached: cached === true, durationMs: performance.now() - started });
  }

  private async runStage(parsed: DockerfileStage): Promise<StageResult> {
    const scope = this.scope.forStage();
    let stage!: Stage;
    const fromInfo = this.info(parsed, parsed.from);
    await this.step(fromInfo, parsed.from, async () => {
      const base = expandWord(parsed.base, this.scope.lookupGlobal).value;
      let platform = this.settings.platform;
      if (parsed.platform !== undefined) platform = buildPlatform(expandWord(parsed.platform, this.scope.lookupGlobal).value);
      const settings: BuildSettings = platform === this.settings.platform ? this.settings : { ...this.settings, platform };
      const stageIndex = this.stageRef(base, parsed.index);
      if (stageIndex !== undefined) {
        const parent = (await this.stageResult(stageIndex)).stage;
        stage = parent.fork();
        const inherited = this.bases.get(parent);
        if (inherited) this.bases.set(stage, inherited);
      } else if (base.toLowerCase() === 'scratch') {
        stage = Stage.scratch(settings);
        stage.container.Env = [SCRATCH_PATH];
      } else {
        const image = await resolveBase(settings.store, base, platform, { events: settings.events, signal: settings.signal });
        stage = Stage.fromImage(settings, image.config, image.manifest.layers, image.descriptor.digest);
        this.bases.set(stage, { name: formatReference(parseReference(base)), digest: image.descriptor.digest });
      }
      this.opened.push(stage);
    });
    const state = { cmdSet: false };
    // ONBUILD triggers of the base run first, then are cleared (they are not inherited further).
    const triggers = stage.container.OnBuild ?? [];
    if (triggers.length > 0) {
      stage.container.OnBuild = null;
      for (const trigger of triggers) {
        const parsedTrigger = parseDockerfile(`${trigger}\n`, { filename: `${this.filename} (ONBUILD of ${parsed.base})` }).instructions[0];
        if (!parsedTrigger) continue;
        const info = this.info(parsed, parsed.from, `ONBUILD ${trigger}`);
        this.total++;
        info.total = this.total;
        await this.step(info, parsed.from, async () => this.dispatch(stage, scope, parsedTrigger, state, info));
      }
    }
    for (const instruction of parsed.instructions) {
      const info = this.info(parsed, instruction);
      await this.step(info, instruction, async () => this.dispatch(stage, scope, instruction, state, info));
    }
    return { stage };
  }

  /** Executes one instruction on a stage. Returns true when the cache supplied the result. */
  private async dispatch(stage: Stage, scope: ArgScope, instruction: Instruction, state: { cmdSet: boolean }, info: StepInfo): Promise<boolean | void> {
    const lookup = () => scope.lookupIn(stage.container.Env);
    const expand = (word: string) => expandWord(word, lookup()).value;
    const c = stage.container;
    switch (instruction.kind) {
      case 'FROM':
        throw new BuildError('ERR_DOCKERFILE', 'FROM inside a stage');
      case 'ARG':
        for (const arg of instruction.args) {
          scope.declare(arg.name, arg.defaultValue === undefined ? undefined : expand(arg.defaultValue));
        }
        return;
      case 'ENV': {
        const env = lookup();
        const pairs = instruction.pairs.map((p) => [expandWord(p.key, env).value, expandWord(p.value, env).value] as const);
        stage.meta(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (config) => {
          for (const [k, v] of pairs) config.Env = setEnv(config.Env, k, v);
        });
        return;
      }
      case 'LABEL': {
        const env = lookup();
        const pairs = instruction.pairs.map((p) => [expandWord(p.key, env).value, expandWord(p.value, env).value] as const);
        stage.meta(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (config) => {
          config.Labels = { ...config.Labels, ...Object.fromEntries(pairs) };
        });
        return;
      }
      case 'MAINTAINER':
        stage.config.author = instruction.maintainer;
        stage.meta(`MAINTAINER ${instruction.maintainer}`, () => undefined);
        return;
      case 'EXPOSE': {
        const keys: string[] = [];
        for (const port of instruction.ports) {
          for (const word of expandWords(port.raw, lookup()).words) keys.push(...exposedPorts(word));
        }
        stage.meta(`EXPOSE map[${keys.map((k) => `${k}:{}`).join(' ')}]`, (config) => {
          const exposed = { ...config.ExposedPorts };
          for (const key of keys) exposed[key] = {};
          config.ExposedPorts = exposed;
        });
        return;
      }
      case 'VOLUME': {
        const paths = instruction.paths.map(expand).filter((p) => p !== '');
        stage.meta(`VOLUME [${paths.join(' ')}]`, (config) => {
          const volumes = { ...config.Volumes };
          for (const p of paths) volumes[p] = {};
          config.Volumes = volumes;
        });
        return;
      }
      case 'USER': {
        const user = expand(instruction.user);
        stage.meta(`USER ${user}`, (config) => void (config.User = user));
        return;
      }
      case 'STOPSIGNAL': {
        const signal = expand(instruction.signal);
        stage.meta(`STOPSIGNAL ${signal}`, (config) => void (config.StopSignal = signal));
        return;
      }
      case 'SHELL':
        stage.meta(`SHELL [${instruction.shell.join(' ')}]`, (config) => void (config.Shell = [...instruction.shell]));
        return;
      case 'WORKDIR': {
        const dir = expand(instruction.path);
        const target = posix.resolve('/', c.WorkingDir || '/', dir);
        return workdirStep(stage, dir, `WORKDIR ${target}`);
      }
      case 'CMD': {
        const args = instruction.shellForm ? [...shellOf(stage), instruction.args.join(' ')] : [...instruction.args];
        state.cmdSet = true;
        // BuildKit sets ArgsEscaped for every CMD/ENTRYPOINT (kept for Docker compatibility) and
        // records the argv with Go's %q.
        stage.meta(`CMD ${goArgv(args)}`, (config) => {
          config.Cmd = args;
          config.ArgsEscaped = true;
        });
        return;
      }
      case 'ENTRYPOINT': {
        const args = instruction.shellForm ? [...shellOf(stage), instruction.args.join(' ')] : [...instruction.args];
        stage.meta(`ENTRYPOINT ${goArgv(args)}`, (config) => {
          config.Entrypoint = args;
          config.ArgsEscaped = true;
          if (!state.cmdSet) config.Cmd = null;
        });
        return;
      }
      case 'HEALTHCHECK': {
        const health: HealthConfig = { Test: instruction.none ? ['NONE'] : [...instruction.test] };
        if (instruction.interval !== undefined) health.Interval = instruction.interval;
        if (instruction.timeout !== undefined) health.Timeout = instruction.timeout;
        if (instruction.startPeriod !== undefined) health.StartPeriod = instruction.startPeriod;
        if (instruction.startInterval !== undefined) health.StartInterval = instruction.startInterval;
        if (instruction.retries !== undefined) health.Retries = instruction.retries;
        stage.meta(`HEALTHCHECK &{${JSON.stringify(health.Test)}}`, (config) => void (config.Healthcheck = health));
        return;
      }
      case 'ONBUILD':
        stage.meta(`ONBUILD ${instruction.expression}`, (config) => {
          config.OnBuild = [...(config.OnBuild ?? []), instruction.expression];
        });
        return;
      case 'RUN':
        return this.run(stage, scope, instruction, info);
      case 'COPY':
      case 'ADD':
        return this.copy(stage, scope, instruction, lookup);
    }
  }

  private async run(stage: Stage, scope: ArgScope, instruction: RunInstruction, info: StepInfo): Promise<boolean> {
    let args: string[];
    const temps: string[] = [];
    const mounts: RunMount[] = [];
    const heredocs = instruction.heredocs;
    if (instruction.shellForm) {
      const script = instruction.args.join(' ');
      const only = heredocs.length === 1 ? parseHeredocWord(script.trim()) : undefined;
      if (only && only.name === heredocs[0]!.name) {
        // `RUN <<EOF ... EOF`: the body is the script; with a #! line it is run as a program.
        const body = only.chomp ? heredocs[0]!.content.replace(/^\t+/gm, '') : heredocs[0]!.content;
        if (body.startsWith('#!')) {
          const dir = await mkdtemp(join(this.settings.tmpRoot ?? tmpdir(), 'oci-kit-heredoc-'));
          temps.push(dir);
          const file = join(dir, only.name);
          await writeFile(file, body);
          await chmod(file, 0o755);
          mounts.push({ type: 'bind', source: file, target: `/dev/pipes/${only.name}`, readonly: true });
          args = [`/dev/pipes/${only.name}`];
        } else {
          args = [...shellOf(stage), body];
        }
      } else if (heredocs.length > 0) {
        // The shell understands heredocs itself: hand it the command with the bodies inline.
        const bodies = heredocs.map((h) => `${h.content}${h.name}`).join('\n');
        args = [...shellOf(stage), `${script}\n${bodies}`];
      } else {
        args = [...shellOf(stage), script];
      }
    } else {
      args = [...instruction.args];
    }
    const lookup = scope.lookupIn(stage.container.Env);
    // Mount sources are keyed up front but only materialised when the step actually runs.
    const keyParts: string[] = [];
    const prepares: Array<() => Promise<void>> = [];
    const releases: Array<() => Promise<void>> = [];
    const viewDirs: string[] = [];
    for (const mount of instruction.mounts) {
      const target = mount.target === undefined ? undefined : expandWord(mount.target, lookup).value;
      if (mount.type === 'tmpfs' && target) mounts.push({ type: 'tmpfs', target });
      else if (mount.type === 'cache' && target) {
        const options = { id: mount.id ?? target, uid: mount.uid, gid: mount.gid, mode: mount.mode, sharing: mount.sharing };
        const cacheMount: RunMount = { type: 'cache', target };
        mounts.push(cacheMount);
        keyParts.push(JSON.stringify(['cache', target, options]));
        prepares.push(async () => {
          const dir = await prepareCacheMount(cacheMountRoot(this.settings.store), options);
          releases.push(dir.release);
          cacheMount.source = dir.path;
        });
      } else if (mount.type === 'bind' && mount.from === undefined) {
        const bind = await resolveBindSource(this.context, mount.source === undefined ? '.' : expandWord(mount.source, lookup).value, this.settings.cache);
        const bindMount: RunMount = { type: 'bind', target: target ?? `/${bind.rel}`, readonly: mount.readOnly };
        mounts.push(bindMount);
        keyParts.push(JSON.stringify(['bind', bindMount.target, mount.readOnly, bind.rel, bind.hash]));
        prepares.push(async () => {
          const view = await materializeBindSource(bind, this.settings.tmpRoot ?? tmpdir(), !mount.readOnly);
          viewDirs.push(view.cleanup);
          bindMount.source = view.path;
        });
      } else {
        throw new BuildError('ERR_UNSUPPORTED_MOUNT', `RUN --mount=${mount.raw} is not supported by oci-kit`, {
          hint: 'oci-kit supports --mount=type=cache, type=tmpfs and type=bind from the context',
        });
      }
    }
    const env = scope.runEnv(stage.container.Env);
    const argsForHistory = scope.argsForCacheKey();
    const network = instruction.network === 'none' ? 'none' : instruction.network === 'host' ? 'host' : this.settings.network;
    try {
      return await runStep(
        stage,
        {
          args,
          env,
          network,
          keyParts: [JSON.stringify(mounts.filter((m) => m.type === 'tmpfs').map((m) => m.target)), ...keyParts],
          beforeRun: async () => {
            for (const prepare of prepares) await prepare();
          },
          onOutput: (chunk) => this.settings.events.emit('output', { ...info, chunk }),
          ...(mounts.length ? { mounts } : {}),
        },
        runCreatedBy(args, argsForHistory),
      );
    } finally {
      for (const dir of temps) await rm(dir, { recursive: true, force: true });
      for (const release of releases) await release();
      for (const dir of viewDirs) await removeView(dir);
    }
  }

  private async copy(stage: Stage, _scope: ArgScope, instruction: CopyInstruction | AddInstruction, lookup: () => (name: string) => string | undefined): Promise<boolean> {
    const env = lookup();
    const expand = (word: string) => expandWord(word, env).value;
    const sources = instruction.sources.map(expand);
    const dest = expand(instruction.destination);
    const chown = instruction.chown === undefined ? undefined : expand(instruction.chown);
    const chmodValue = instruction.chmod === undefined ? undefined : expand(instruction.chmod);
    const exclude = instruction.exclude.map(expand);
    const keyword = instruction.kind;
    const flags = [
      instruction.kind === 'COPY' && instruction.from !== undefined ? `--from=${expand(instruction.from)}` : '',
      chown ? `--chown=${chown}` : '',
      chmodValue ? `--chmod=${chmodValue}` : '',
    ].filter(Boolean);
    const createdBy = `${keyword} ${[...flags, ...sources, ...instruction.sourceContents.map((s) => s.path), dest].join(' ')} # buildkit`;
    // Heredoc sources: in-memory files named after the heredoc.
    if (instruction.sourceContents.length > 0) {
      const total = instruction.sourceContents.length + sources.length;
      const dir = await destinationIsDirectory(dest, stage.container.WorkingDir ?? '/', total, stage.rootfsQuery());
      const files: Record<string, string> = {};
      for (const content of instruction.sourceContents) {
        const data = content.expand ? expandHeredoc(content.data, env) : content.data;
        files[dir ? posix.join(dest, content.path) : dest] = data;
      }
      const contentKey = createHash('sha256').update(JSON.stringify(files)).digest('hex');
      const cached = await stage.entriesStep(createdBy, [contentKey, stage.container.WorkingDir ?? ''], async () => {
        const owner = await ownerFor(stage, chown);
        return planInMemoryFiles(files, {
          workdir: stage.container.WorkingDir ?? '/',
          uid: owner.uid,
          gid: owner.gid,
          chmod: parseChmod(chmodValue),
          epoch: this.settings.epoch,
          now: this.settings.now.getTime() / 1000,
          rootfs: stage.rootfsQuery(),
        });
      });
      if (sources.length === 0) return cached;
    }
    const options = {
      sources,
      dest,
      chown,
      chmod: chmodValue,
      exclude,
      parents: instruction.kind === 'COPY' ? instruction.parents : false,
    };
    if (instruction.kind === 'ADD') {
      const checksum = instruction.checksum === undefined ? undefined : expand(instruction.checksum);
      return addStep(stage, this.context, { ...options, checksum, extractArchives: instruction.unpack !== false }, createdBy, '');
    }
    if (instruction.from === undefined) return copyStep(stage, this.context, options, createdBy, '');
    const from = expand(instruction.from);
    const index = this.stageRef(from);
    if (index !== undefined) {
      const source = (await this.stageResult(index)).stage;
      const view = await source.materialise();
      return copyStep(stage, new BuildContext(view.dir, [], true), options, createdBy, source.key);
    }
    const image = await resolveBase(this.settings.store, from, stage.settings.platform, { events: this.settings.events, signal: this.settings.signal });
    const source = Stage.fromImage(stage.settings, image.config, image.manifest.layers, image.descriptor.digest);
    this.opened.push(source);
    const view = await source.materialise();
    return copyStep(stage, new BuildContext(view.dir, [], true), options, createdBy, image.descriptor.digest);
  }
}

/** Expands variables in a heredoc body the way the shell would (only `$VAR` forms, no quote removal). */
function expandHeredoc(body: string, env: (name: string) => string | undefined): string {
  return expandWord(body, env, { rawQuotes: true }).value;
}

/** A string list as Go's `%q` prints it: `["a" "b c"]`. */
function goArgv(args: string[]): string {
  return `[${args.map(goQuote).join(' ')}]`;
}

/** BuildKit's image for `FROM scratch`: no layers, but the default PATH in Env. */
export const SCRATCH_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `80`, `80/udp`, `8000-8002/tcp` to config keys (`80/tcp`, ...). */
export function exposedPorts(word: string): string[] {
  const match = /^(?:.*:)?(\d+)(?:-(\d+))?(?:\/([a-zA-Z]+))?$/.exec(word);
  if (!match) throw new BuildError('ERR_INVALID_PORT', `invalid port specification: "${word}"`);
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  const proto = (match[3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}
