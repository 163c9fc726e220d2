/**
 * Build arguments and variable scoping as BuildKit does them (Dockerfile reference, "ARG" and
 * "Using ARG variables"):
 *
 * - ARGs before the first FROM are global: usable in FROM lines, and in a stage only after the stage
 *   re-declares them with a bare `ARG NAME`;
 * - a `--build-arg` value overrides the ARG's default; `--build-arg NAME` with no `=` takes the value
 *   from the environment of the build (and is dropped when the environment has none);
 * - the predefined platform ARGs (TARGETPLATFORM, TARGETOS, TARGETARCH, TARGETVARIANT, BUILDPLATFORM,
 *   BUILDOS, BUILDARCH, BUILDVARIANT) are set in the global scope and, in a stage, once declared;
 * - ENV always wins over an ARG of the same name, for expansion and for RUN's environment;
 * - ARG values reach RUN's environment but are never written to the image config.
 *
 * @module
 */
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform } from '../image/platform.js';
import type { Platform } from '../image/types.js';

/** `K=V` or `K` strings as given to `--build-arg`, resolved against `env`. */
export function resolveBuildArgs(
  args: Record<string, string | undefined> | readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Map<string, string> {
  const out = new Map<string, string>();
  const entries: [string, string | undefined][] = Array.isArray(args)
    ? (args as readonly string[]).map((a) => {
        const eq = a.indexOf('=');
        return eq < 0 ? [a, undefined] : [a.slice(0, eq), a.slice(eq + 1)];
      })
    : Object.entries(args);
  for (const [name, value] of entries) {
    if (value !== undefined) out.set(name, value);
    else if (env[name] !== undefined) out.set(name, env[name]!);
  }
  return out;
}

/**
 * A platform as a build uses it (`--platform`, `FROM --platform`, the TARGET and BUILD args): the image
 * module's normalization, except that arm64's default variant stays implicit, since BuildKit leaves
 * TARGETVARIANT empty for `linux/arm64` (containerd's `platforms.Normalize` drops `v8`).
 */
export function buildPlatform(platform: Platform | string): Platform {
  const normalized = typeof platform === 'string' ? parsePlatform(platform) : normalizePlatform(platform);
  if (normalized.architecture === 'arm64' && normalized.variant === 'v8') delete normalized.variant;
  return normalized;
}

/** The platform of this machine, in the build's form ({@link buildPlatform}). */
export function buildHostPlatform(): Platform {
  return buildPlatform(hostPlatform());
}

/** The predefined platform ARGs for a target and a build platform. */
export function platformArgs(target: Platform, build: Platform): Map<string, string> {
  return new Map([
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
  ]);
}

/** Names the Docker builder accepts as build args without an ARG declaration (proxies). */
export const BUILTIN_ARGS: readonly string[] = [
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
];

/** Splits `K=V` environment entries into a map (later entries win). */
export function envToMap(env: readonly string[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    if (eq < 0) out.set(entry, '');
    else out.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return out;
}

/** Sets `name=value` in a `K=V` list, replacing an earlier entry in place as Docker does. */
export function setEnv(env: readonly string[] | undefined, name: string, value: string): string[] {
  const out = [...(env ?? [])];
  const index = out.findIndex((e) => e === name || e.startsWith(`${name}=`));
  if (index >= 0) out[index] = `${name}=${value}`;
  else out.push(`${name}=${value}`);
  return out;
}

/**
 * The variables visible at one point of a build: the global ARGs, the stage's declared ARGs, and the
 * image's ENV. Shared by the Dockerfile engine for expansion and for RUN's environment.
 */
export class ArgScope {
  /** Values of global ARGs (before the first FROM), after `--build-arg` overrides. */
  private readonly globals = new Map<string, string | undefined>();
  /** Declared stage ARGs and their values (undefined: declared, no value). */
  private readonly stageArgs = new Map<string, string | undefined>();
  /** Build args that some ARG consumed, for the "not consumed" warning. */
  readonly consumed = new Set<string>();

  constructor(
    readonly buildArgs: ReadonlyMap<string, string>,
    readonly predefined: ReadonlyMap<string, string>,
  ) {}

  /** Declares a global ARG (before the first FROM). */
  declareGlobal(name: string, defaultValue: string | undefined): void {
    if (this.buildArgs.has(name)) this.consumed.add(name);
    const value = this.buildArgs.get(name) ?? defaultValue ?? this.predefined.get(name);
    this.globals.set(name, value);
  }

  /** Lookup for FROM lines: global ARGs and the predefined platform args. */
  lookupGlobal = (name: string): string | undefined => {
    if (this.globals.has(name)) return this.globals.get(name);
    return this.predefined.get(name);
  };

  /** A fresh scope for a stage, sharing globals and build args. */
  forStage(): ArgScope {
    const scope = new ArgScope(this.buildArgs, this.predefined);
    for (const [k, v] of this.globals) scope.globals.set(k, v);
    // Consumption is tracked build-wide.
    (scope as { consumed: Set<string> }).consumed = this.consumed;
    return scope;
  }

  /**
   * Declares `ARG name[=default]` in the stage. Returns the value the ARG now has. A build arg wins;
   * else the default; a bare ARG takes the global ARG's value or the predefined one.
   */
  declare(name: string, defaultValue: string | undefined): string | undefined {
    let value: string | undefined;
    if (this.buildArgs.has(name)) {
      value = this.buildArgs.get(name);
      this.consumed.add(name);
    } else if (defaultValue !== undefined) value = defaultValue;
    else if (this.globals.has(name)) value = this.globals.get(name);
    else value = this.predefined.get(name);
    this.stageArgs.set(name, value);
    return value;
  }

  /** True when the stage declared `name`. */
  declared(name: string): boolean {
    return this.stageArgs.has(name);
  }

  /** Lookup for expansion inside a stage: ENV first (ENV wins over ARG), then declared ARGs. */
  lookupIn(env: readonly string[] | undefined): (name: string) => string | undefined {
    const envMap = envToMap(env);
    return (name) => {
      if (envMap.has(name)) return envMap.get(name);
      if (this.stageArgs.has(name)) return this.stageArgs.get(name);
      return undefined;
    };
  }

  /**
   * The environment of a RUN: the image ENV, plus each declared ARG with a value that ENV does not
   * set, plus proxy build args (Docker passes those without declaration).
   */
  runEnv(env: readonly string[] | undefined): string[] {
    const out = [...(env ?? [])];
    const envMap = envToMap(env);
    for (const [name, value] of this.stageArgs) {
      if (value !== undefined && !envMap.has(name)) out.push(`${name}=${value}`);
    }
    for (const name of BUILTIN_ARGS) {
      const value = this.buildArgs.get(name);
      if (value !== undefined && !envMap.has(name) && !this.stageArgs.has(name)) {
        this.consumed.add(name);
        out.push(`${name}=${value}`);
      }
    }
    return out;
  }

  /** Declared ARGs with values, sorted, for cache keys (they change RUN's environment). */
  argsForCacheKey(): string[] {
    return [...this.stageArgs].filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).sort();
  }

  /** Build args that no ARG declared (Docker warns about them). */
  unconsumed(): string[] {
    return [...this.buildArgs.keys()].filter((k) => !this.consumed.has(k) && !BUILTIN_ARGS.includes(k));
  }
}
