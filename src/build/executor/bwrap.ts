/**
 * The bubblewrap executor: each run is one `bwrap` process that bind-mounts the rootfs as `/`,
 * mounts a fresh /proc and a minimal /dev, binds /etc/hosts and /etc/resolv.conf read-only, and
 * runs the command in new pid, ipc and uts namespaces (and a new network namespace for
 * `--network=none`) with a cleared environment.
 *
 * Ownership is what makes a RUN layer right, so users are mapped with care:
 * - host root, image user root: no user namespace; the command is real root with Docker's default
 *   capability set, and files it creates are owned by root on disk.
 * - host root, image user U:G: `setpriv` drops to U:G (and the user's supplementary groups) before
 *   bwrap starts; bwrap maps U onto itself in a user namespace, so files are owned by U:G on disk
 *   and the kernel checks permissions exactly as for that user. The rootfs and RUN mount sources
 *   below directories that user may not search are first bound, each on its own, at a reachable
 *   place in a private mount namespace (see {@link planReach}).
 * - host user (rootless): a user namespace maps the image user onto the host user; files are
 *   owned by the host user, as with any rootless builder without subordinate ids.
 *
 * @module
 */
import { accessSync, chmodSync, constants, mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Executor, RunRequest, RunResult } from './types.js';
import { setUpSandbox, type PlannedMount } from './sandbox-setup.js';
import type { ResolvedUser } from './user.js';
import { launch, requestStreams } from './process.js';
import { findExecutable } from './tools.js';
import { NoSandboxError, SandboxSetupError } from './errors.js';

/** Docker's default capability set for root in a container (moby `caps.DefaultCapabilities`). */
export const DOCKER_DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
] as const;

/** Everything {@link bwrapArguments} turns into a bwrap command line. */
export interface BwrapPlan {
  /** Host path bound as `/`. */
  rootfs: string;
  args: string[];
  env: [string, string][];
  cwd: string;
  hostname: string;
  network: 'host' | 'none';
  /** Resolved in-rootfs paths of /proc and /dev (default `/proc`, `/dev`). */
  procPath?: string | undefined;
  devPath?: string | undefined;
  mounts: PlannedMount[];
  /** `privileged`: real root, no user namespace, Docker's capabilities; `userns`: a user namespace mapping `uid`/`gid`. */
  mode: 'privileged' | 'userns';
  uid: number;
  gid: number;
  /** Interactive runs keep the terminal session (no `--new-session`) so a shell gets job control. */
  tty: boolean;
}

/** The bwrap argv (without `bwrap` itself) for a plan. Pure: unit-tested without a sandbox. */
export function bwrapArguments(plan: BwrapPlan): string[] {
  const out: string[] = ['--bind', plan.rootfs, '/', '--proc', plan.procPath ?? '/proc', '--dev', plan.devPath ?? '/dev'];
  for (const mount of plan.mounts) {
    if (mount.kind === 'tmpfs') out.push('--tmpfs', mount.target);
    else out.push(`--${mount.kind}`, mount.source ?? '', mount.target);
  }
  out.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--hostname', plan.hostname);
  if (plan.network === 'none') out.push('--unshare-net');
  if (plan.mode === 'userns') {
    out.push('--unshare-user', '--uid', String(plan.uid), '--gid', String(plan.gid));
  } else {
    out.push('--cap-drop', 'ALL');
    for (const cap of DOCKER_DEFAULT_CAPABILITIES) out.push('--cap-add', cap);
  }
  out.push('--die-with-parent');
  if (!plan.tty) out.push('--new-session');
  out.push('--clearenv');
  for (const [key, value] of plan.env) out.push('--setenv', key, value);
  out.push('--chdir', plan.cwd, '--', ...plan.args);
  return out;
}

/** `setpriv` arguments that make the launcher run as `user` (util-linux). */
export function setprivArguments(user: ResolvedUser): string[] {
  return [
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    user.additionalGids.length > 0 ? `--groups=${user.additionalGids.join(',')}` : '--clear-groups',
    '--',
  ];
}

/** True when `uid`/`gids` may search every directory on the way to `path` (mode bits only; root-owned temp dirs are 0700). */
export function canReach(path: string, uid: number, gids: number[]): boolean {
  let current = resolve(path);
  const chain: string[] = [];
  for (;;) {
    chain.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of chain) {
    const stats = statSync(dir);
    const bit = stats.uid === uid ? 0o100 : gids.includes(stats.gid) ? 0o010 : 0o001;
    if ((stats.mode & bit) === 0) return false;
  }
  return true;
}

/** Options of {@link BwrapExecutor}. */
export interface BwrapExecutorOptions {
  /** The bwrap binary (default: `bwrap` on PATH). */
  bwrap?: string | undefined;
}

/** Runs commands with bubblewrap. */
export class BwrapExecutor implements Executor {
  readonly #bwrap: string | undefined;

  constructor(options: BwrapExecutorOptions = {}) {
    this.#bwrap = options.bwrap;
  }

  async run(req: RunRequest): Promise<RunResult> {
    const bwrap = this.#bwrap ?? findExecutable('bwrap');
    if (!bwrap) throw new NoSandboxError('bubblewrap (bwrap) is not installed');
    const setup = setUpSandbox(req);
    const cleanups: (() => void)[] = [() => setup.dispose()];
    try {
      const hostUid = process.getuid?.() ?? -1;
      const { user } = setup;
      let launcher: string[] = [];
      let rootfs = req.rootfs;
      let mode: BwrapPlan['mode'] = 'userns';
      let mounts = setup.mounts;
      if (hostUid === 0) {
        mode = user.uid === 0 ? 'privileged' : 'userns';
        const dropping = user.uid !== 0 || user.gid !== 0 || user.additionalGids.length > 0;
        if (dropping) {
          const setpriv = findExecutable('setpriv');
          if (!setpriv) {
            throw new SandboxSetupError(`running as USER ${req.user ?? ''} needs setpriv (util-linux) on the host`, {
              hint: 'install util-linux (apt-get install util-linux), or run the step as root',
            });
          }
          launcher = [setpriv, ...setprivArguments(user)];
          if (user.uid !== 0) {
            const reach = reachForUser(rootfs, setup.mounts, (path) => canReach(path, user.uid, [user.gid, ...user.additionalGids]));
            if (reach) {
              cleanups.push(reach.cleanup);
              rootfs = reach.rootfs;
              mounts = reach.mounts;
              launcher = [...reach.prefix, ...launcher];
            }
          }
        }
      }
      const args = bwrapArguments({
        rootfs,
        args: req.args,
        env: setup.env,
        cwd: setup.cwd,
        procPath: setup.procPath,
        devPath: setup.devPath,
        hostname: setup.hostname,
        network: req.network,
        mounts,
        mode,
        uid: user.uid,
        gid: user.gid,
        tty: req.tty === true,
      });
      const [file, ...rest] = launcher.length > 0 ? [...launcher, bwrap, ...args] : [bwrap, ...args];
      const exitCode = await launch(file!, rest, { env: { PATH: process.env.PATH ?? DEFAULT_HOST_PATH }, ...requestStreams(req) });
      return { exitCode };
    } finally {
      for (const cleanup of cleanups.reverse()) cleanup();
    }
  }
}

const DEFAULT_HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A host path the launcher binds at a reachable mount point before it drops to the image's USER. */
export interface ReachBind {
  source: string;
  mountPoint: string;
  /** The reachable copy is read-only too, so even the launcher's namespace never holds a writable view of a read-only source. */
  readonly: boolean;
}

/** The rootfs and mounts rebased onto reachable mount points below `reachDir`, and the binds that make them so. */
export interface ReachPlan {
  rootfs: string;
  mounts: PlannedMount[];
  binds: ReachBind[];
}

/**
 * Rebases every host path the unprivileged bwrap cannot walk to (the rootfs, and each bind mount's
 * source below a root-only directory such as a build's 0700 bind-view dir or a cache under /root)
 * onto its own mount point below `reachDir`. Only each source itself is bound, never a parent, so
 * nothing beyond the mount source becomes reachable. Pure: `reachable` decides. A mount source's
 * own mode is the user's business (binding cannot change it), so only its parent directory decides.
 */
export function planReach(rootfs: string, mounts: PlannedMount[], reachDir: string, reachable: (path: string) => boolean): ReachPlan {
  const binds: ReachBind[] = [];
  let reachRootfs = rootfs;
  if (!reachable(rootfs)) {
    reachRootfs = join(reachDir, 'rootfs');
    binds.push({ source: resolve(rootfs), mountPoint: reachRootfs, readonly: false });
  }
  const rebased = mounts.map((mount, index): PlannedMount => {
    if (mount.kind === 'tmpfs' || mount.source === undefined || reachable(dirname(resolve(mount.source)))) return mount;
    const mountPoint = join(reachDir, `mount-${index}`);
    binds.push({ source: resolve(mount.source), mountPoint, readonly: mount.kind === 'ro-bind' });
    return { ...mount, source: mountPoint };
  });
  return { rootfs: reachRootfs, mounts: rebased, binds };
}

/**
 * The launcher prefix that performs `binds` in a private mount namespace (invisible to the host and
 * gone with the launcher), then execs the rest of the command line. A failed mount stops the run
 * before anything executes.
 */
export function reachPrefixArguments(unshare: string, sh: string, binds: ReachBind[]): string[] {
  const script = [
    'set -e',
    'while [ "$1" != -- ]; do',
    '  mount --bind -- "$2" "$3"',
    '  if [ "$1" = ro ]; then mount -o remount,bind,ro -- "$3"; fi',
    '  shift 3',
    'done',
    'shift',
    'exec "$@"',
  ].join('\n');
  const triples = binds.flatMap((bind) => [bind.readonly ? 'ro' : 'rw', bind.source, bind.mountPoint]);
  return [unshare, '--mount', '--propagation', 'private', '--', sh, '-c', script, 'sh', ...triples, '--'];
}

/** Makes the rootfs and the mount sources reachable for the image's USER, or undefined when they already are. */
function reachForUser(
  rootfs: string,
  mounts: PlannedMount[],
  reachable: (path: string) => boolean,
): { prefix: string[]; rootfs: string; mounts: PlannedMount[]; cleanup: () => void } | undefined {
  const probe = planReach(rootfs, mounts, '/', reachable);
  if (probe.binds.length === 0) return undefined;
  const unshare = findExecutable('unshare');
  const mount = findExecutable('mount');
  const sh = findExecutable('sh');
  if (!unshare || !mount || !sh) {
    throw new SandboxSetupError(`${probe.binds.map((bind) => bind.source).join(', ')} not reachable for the image's USER and util-linux unshare/mount are missing`, {
      hint: 'install util-linux, or put the rootfs and mount sources below directories that others may search (mode o+x)',
    });
  }
  const reachDir = mkdtempSync(join(tmpdir(), 'oci-kit-reach-'));
  try {
    chmodSync(reachDir, 0o755);
    accessSync(reachDir, constants.X_OK);
    const plan = planReach(rootfs, mounts, reachDir, reachable);
    for (const bind of plan.binds) {
      // A bind mount needs a mount point of the source's kind; these are empty placeholders.
      if (statSync(bind.source).isDirectory()) mkdirSync(bind.mountPoint, { mode: 0o755 });
      else writeFileSync(bind.mountPoint, '', { mode: 0o644 });
    }
    return {
      prefix: reachPrefixArguments(unshare, sh, plan.binds),
      rootfs: plan.rootfs,
      mounts: plan.mounts,
      cleanup: () => removePlaceholders(reachDir),
    };
  } catch (err) {
    removePlaceholders(reachDir);
    throw err;
  }
}

/** Removes the empty mount points one by one, never recursively: a mount that leaked to the host would fail here rather than lose its source's files. */
function removePlaceholders(reachDir: string): void {
  for (const entry of readdirSync(reachDir, { withFileTypes: true })) {
    const path = join(reachDir, entry.name);
    if (entry.isDirectory()) rmdirSync(path);
    else unlinkSync(path);
  }
  rmdirSync(reachDir);
}
