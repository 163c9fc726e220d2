/**
 * Credentials from the Docker client configuration (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), as the Docker CLI reads and writes them: per-registry `credHelpers`,
 * then a global `credsStore`, then `auths` entries (`auth` = base64 `user:password`,
 * `identitytoken`, `registrytoken`). Helpers speak the docker-credential-helpers protocol: the
 * program `docker-credential-<name>` with the action (`get`, `store`, `erase`) as argument, the
 * server URL or a JSON object on stdin, JSON on stdout.
 *
 * Docker Hub's entries live under the historical key `https://index.docker.io/v1/`.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, readlink, rename, rm, stat, utimes } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OciKitError } from '../errors.js';
import type { CredentialProvider, Credentials } from './auth.js';

/** The key Docker uses for Docker Hub in `auths` and credential helpers. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** The parts of Docker's config.json oci-kit reads and writes; other fields are kept as they are. */
export interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** Where to find the Docker config. */
export interface DockerConfigOptions {
  /** Environment to read `DOCKER_CONFIG` and `HOME` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** Path of config.json: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
export function dockerConfigPath(options: DockerConfigOptions = {}): string {
  const env = options.env ?? process.env;
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

/** Reads config.json; an absent file is an empty config. */
export async function readDockerConfig(options: DockerConfigOptions = {}): Promise<DockerConfig> {
  return readConfigFile(dockerConfigPath(options));
}

/** The config key of a registry: Docker Hub's historical URL, else the host as given. */
export function authKey(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === 'registry-1.docker.io' ? DOCKER_HUB_AUTH_KEY : registry;
}

function matchingAuthEntry(config: DockerConfig, registry: string) {
  const auths = config.auths ?? {};
  const key = authKey(registry);
  if (auths[key]) return auths[key];
  // Older configs spell keys as URLs: "https://host/v1/", "http://host".
  for (const [k, v] of Object.entries(auths)) {
    const host = k.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (host === registry || (key === DOCKER_HUB_AUTH_KEY && (host === 'index.docker.io' || host === 'docker.io'))) return v;
  }
  return undefined;
}

/** Runs `docker-credential-<helper> <action>` with `input` on stdin and returns stdout. */
export function runCredentialHelper(helper: string, action: 'get' | 'store' | 'erase', input: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, [action], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) =>
      reject(new OciKitError('ERR_CREDENTIAL_HELPER', `credential helper ${program} could not be run: ${e.message}`, { hint: `install ${program} or remove it from the Docker config` })),
    );
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) resolve(stdout);
      // Helpers answer "credentials not found in native keychain" for an unknown server.
      else if (action === 'get' && /not found/i.test(stdout + Buffer.concat(err).toString('utf8'))) resolve('');
      else reject(new OciKitError('ERR_CREDENTIAL_HELPER', `credential helper ${program} ${action} failed (exit code ${code})`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

async function fromHelper(helper: string, registry: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  const out = await runCredentialHelper(helper, 'get', authKey(registry), env);
  if (!out.trim()) return undefined;
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(out) as typeof parsed;
  } catch {
    throw new OciKitError('ERR_CREDENTIAL_HELPER', `credential helper docker-credential-${helper} printed something that is not JSON`);
  }
  if (typeof parsed.Secret !== 'string' || !parsed.Secret) return undefined;
  // The protocol marks an identity (refresh) token with the user name "<token>".
  if (parsed.Username === '<token>') return { identityToken: parsed.Secret };
  return { username: typeof parsed.Username === 'string' ? parsed.Username : '', password: parsed.Secret };
}

/** Looks up the credentials of `registry` in a Docker config (helpers first, then `auths`). */
export async function credentialsFromDockerConfig(config: DockerConfig, registry: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const helper = config.credHelpers?.[registry] ?? config.credHelpers?.[authKey(registry)];
  if (helper) return fromHelper(helper, registry, env);
  const entry = matchingAuthEntry(config, registry);
  if (config.credsStore && !entry?.auth && !entry?.identitytoken) {
    const found = await fromHelper(config.credsStore, registry, env);
    if (found) return found;
  }
  if (!entry) return undefined;
  if (entry.registrytoken) return { registryToken: entry.registrytoken };
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) throw new OciKitError('ERR_DOCKER_CONFIG', `the Docker config's auth entry for ${registry} is malformed`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

/** A {@link CredentialProvider} reading the Docker config of `env` (read once, lazily). */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialProvider {
  let config: Promise<DockerConfig> | undefined;
  return async (registry) => {
    config ??= readDockerConfig(options);
    return credentialsFromDockerConfig(await config, registry, options.env ?? process.env);
  };
}

/**
 * The file config.json really is: a symlinked config.json (dotfile managers do that) is written
 * through to its target, so the link survives.
 */
async function configTarget(path: string): Promise<string> {
  let current = path;
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!(await lstat(current)).isSymbolicLink()) return current;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return current;
      throw err;
    }
    current = resolve(dirname(current), await readlink(current));
  }
  throw new OciKitError('ERR_DOCKER_CONFIG', `${path}: too many levels of symbolic links`);
}

/**
 * Writes config.json atomically with owner-only permissions (it holds secrets): a temp file in the
 * same directory, fsync, rename over the target, fsync of the directory. A symlinked config.json
 * keeps its link; the file it points to is replaced.
 */
export async function writeDockerConfig(config: DockerConfig, options: DockerConfigOptions = {}): Promise<void> {
  const target = await configTarget(dockerConfigPath(options));
  await writeConfigFile(target, config);
}

async function writeConfigFile(target: string, config: DockerConfig): Promise<void> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.config.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(config, null, '\t')}\n`);
      // open()'s mode passes through the umask: set exactly 0600, whatever the umask.
      await file.chmod(0o600);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  }
}

/** A lock older than this is left over from a crashed process and is taken over. */
const STALE_LOCK_MS = 30_000;

/**
 * Runs `change` on the current config under `config.json.lock` (next to the real file, created
 * with O_EXCL), then writes the result: concurrent logins (other processes, or parallel calls in
 * this one) each re-read the file inside the lock, so none loses another's entry.
 */
export async function updateDockerConfig<T>(options: DockerConfigOptions, change: (config: DockerConfig) => Promise<{ write: boolean; result: T }>): Promise<T> {
  const target = await configTarget(dockerConfigPath(options));
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const lock = `${target}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lock).then((st) => Date.now() - st.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      else await sleep(Math.min(5 + attempt * 5, 100));
    }
  }
  try {
    const config = await readConfigFile(target);
    const { write, result } = await change(config);
    // Keep the lock fresh for a slow credential helper, then write.
    await utimes(lock, new Date(), new Date()).catch(() => undefined);
    if (write) await writeConfigFile(target, config);
    return result;
  } finally {
    await rm(lock, { force: true });
  }
}

async function readConfigFile(path: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as DockerConfig) : {};
  } catch {
    throw new OciKitError('ERR_DOCKER_CONFIG', `${path} is not valid JSON`, { hint: 'fix or remove the file' });
  }
}

/**
 * Saves credentials for `registry` like `docker login`: into the credential store when one is
 * configured (`credHelpers` entry or `credsStore`), else as base64 `auth` in `auths`.
 */
export async function saveLogin(registry: string, credentials: { username: string; password: string }, options: DockerConfigOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const key = authKey(registry);
  await updateDockerConfig(options, async (config) => {
    const helper = config.credHelpers?.[registry] ?? config.credHelpers?.[key] ?? config.credsStore;
    config.auths ??= {};
    if (helper) {
      await runCredentialHelper(helper, 'store', JSON.stringify({ ServerURL: key, Username: credentials.username, Secret: credentials.password }), env);
      config.auths[key] = {};
    } else {
      config.auths[key] = { auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64') };
    }
    return { write: true, result: undefined };
  });
}

/** Removes the saved credentials of `registry`; true when there were any. */
export async function removeLogin(registry: string, options: DockerConfigOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  const key = authKey(registry);
  return updateDockerConfig(options, async (config) => {
    const helper = config.credHelpers?.[registry] ?? config.credHelpers?.[key] ?? config.credsStore;
    let removed = false;
    if (helper) {
      try {
        await runCredentialHelper(helper, 'erase', key, env);
        removed = true;
      } catch {
        // Erasing what the helper never had is not an error for logout.
      }
    }
    if (config.auths && key in config.auths) {
      delete config.auths[key];
      removed = true;
    }
    return { write: removed, result: removed };
  });
}
