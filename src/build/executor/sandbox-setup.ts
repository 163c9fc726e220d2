/**
 * What every Linux sandbox needs before and after a run, whatever tool isolates it: the user
 * resolved from the image, the environment completed like Docker's, /etc/hosts and
 * /etc/resolv.conf contents, the working directory, and the mount points (created for the run,
 * removed after it, see {@link MountPoints}).
 *
 * @module
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunMount, RunRequest } from './types.js';
import { resolveUser, type ResolvedUser } from './user.js';
import { MountPoints } from './mount-points.js';
import { resolveContainerPath } from './rootfs-path.js';
import { SandboxSetupError } from './errors.js';

/** Docker's default PATH (moby `oci.DefaultPathEnv` for Linux), used when the image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The sandbox's hostname (BuildKit uses `buildkitsandbox`; ours says who ran it). */
export const SANDBOX_HOSTNAME = 'oci-kit';

/** A mount as the sandbox tool must perform it, with the in-container path already resolved. */
export interface PlannedMount {
  kind: 'bind' | 'ro-bind' | 'tmpfs';
  /** Host path (bind kinds). */
  source?: string | undefined;
  /** Container path, symlinks resolved within the rootfs. */
  target: string;
}

/** Everything a sandbox tool needs for one run; {@link SandboxSetup.dispose} undoes the preparation. */
export interface SandboxSetup {
  user: ResolvedUser;
  /** `[key, value]` pairs, in order, PATH and HOME completed. */
  env: [string, string][];
  /** /etc/hosts and /etc/resolv.conf (read-only binds), then the request's mounts. */
  mounts: PlannedMount[];
  /** The working directory, symlinks resolved within the rootfs. */
  cwd: string;
  /** Where /proc and /dev are mounted: symlinks resolved within the rootfs, so a mount never follows one onto the host. */
  procPath: string;
  devPath: string;
  hostname: string;
  /** Removes the run's mount points and temporary files. */
  dispose(): void;
}

/** Splits `KEY=value` entries; the last value of a repeated key wins, entries without `=` are dropped (runc does the same). */
export function completeEnv(env: string[], user: ResolvedUser, tty: boolean): [string, string][] {
  const map = new Map<string, string>();
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  if (!map.has('PATH')) map.set('PATH', DEFAULT_PATH);
  if (!map.has('HOME')) map.set('HOME', user.home);
  if (tty && !map.has('TERM')) map.set('TERM', 'xterm');
  return [...map];
}

/** The /etc/hosts every run gets: loopback names plus the sandbox hostname. */
export function hostsFile(hostname: string): string {
  return `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
}

/** The host's resolver configuration, or public resolvers when the host has none (Docker's fallback). */
export function resolvConfFile(): string {
  try {
    return readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';
  }
}

/** Prepares the rootfs and the host side for `req`. Call `dispose()` once the sandbox has exited. */
export function setUpSandbox(req: RunRequest): SandboxSetup {
  let rootStats;
  try {
    rootStats = statSync(req.rootfs);
  } catch (err) {
    throw new SandboxSetupError(`rootfs ${req.rootfs} does not exist`, { cause: err });
  }
  if (!rootStats.isDirectory()) throw new SandboxSetupError(`rootfs ${req.rootfs} is not a directory`);
  if (req.args.length === 0) throw new SandboxSetupError('no command to run: the argv is empty', { hint: 'give a command, or an image with Entrypoint/Cmd' });
  if (!req.cwd.startsWith('/')) throw new SandboxSetupError(`working directory "${req.cwd}" must be an absolute path`);

  const user = resolveUser(req.rootfs, req.user);
  const cwd = ensureWorkingDir(req.rootfs, req.cwd);
  const hostname = SANDBOX_HOSTNAME;
  const files = mkdtempSync(join(tmpdir(), 'oci-kit-run-'));
  chmodSync(files, 0o755); // readable after the launcher drops to the image's USER
  const points = new MountPoints(req.rootfs);
  try {
    writeFileSync(join(files, 'hosts'), hostsFile(hostname), { mode: 0o644 });
    writeFileSync(join(files, 'resolv.conf'), resolvConfFile(), { mode: 0o644 });
    const procPath = points.prepare({ target: '/proc', kind: 'dir' }).containerPath;
    const devPath = points.prepare({ target: '/dev', kind: 'dir' }).containerPath;
    const mounts: PlannedMount[] = [
      { kind: 'ro-bind', source: join(files, 'hosts'), target: points.prepare({ target: '/etc/hosts', kind: 'file' }).containerPath },
      { kind: 'ro-bind', source: join(files, 'resolv.conf'), target: points.prepare({ target: '/etc/resolv.conf', kind: 'file' }).containerPath },
    ];
    for (const mount of req.mounts ?? []) mounts.push(planMount(mount, points));
    return {
      user,
      env: completeEnv(req.env, user, req.tty === true),
      mounts,
      cwd,
      procPath,
      devPath,
      hostname,
      dispose() {
        try {
          points.cleanup();
        } finally {
          rmSync(files, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    points.cleanup();
    rmSync(files, { recursive: true, force: true });
    throw err;
  }
}

function planMount(mount: RunMount, points: MountPoints): PlannedMount {
  if (!mount.target.startsWith('/')) throw new SandboxSetupError(`mount target "${mount.target}" must be an absolute path`);
  if (mount.type === 'tmpfs') return { kind: 'tmpfs', target: points.prepare({ target: mount.target, kind: 'dir' }).containerPath };
  if (mount.source === undefined) throw new SandboxSetupError(`a ${mount.type} mount on ${mount.target} needs a source`);
  if (mount.type === 'cache') mkdirSync(mount.source, { recursive: true });
  let sourceStats;
  try {
    sourceStats = statSync(mount.source);
  } catch (err) {
    throw new SandboxSetupError(`mount source ${mount.source} does not exist`, { cause: err });
  }
  const target = points.prepare({ target: mount.target, kind: sourceStats.isDirectory() ? 'dir' : 'file' }).containerPath;
  return { kind: mount.readonly ? 'ro-bind' : 'bind', source: mount.source, target };
}

/** Creates the working directory if missing (runc does too); it is a real change and stays in the diff. */
function ensureWorkingDir(rootfs: string, cwd: string): string {
  const containerPath = resolveContainerPath(rootfs, cwd);
  const hostPath = join(rootfs, containerPath);
  if (existsSync(hostPath)) {
    if (!statSync(hostPath).isDirectory()) throw new SandboxSetupError(`working directory ${cwd} is not a directory in the rootfs`);
  } else {
    mkdirSync(hostPath, { recursive: true, mode: 0o755 });
  }
  return containerPath;
}
