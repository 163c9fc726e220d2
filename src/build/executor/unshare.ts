/**
 * The fallback executor for hosts without bubblewrap: util-linux `unshare` creates mount, pid,
 * ipc and uts namespaces (plus a user namespace when not root, and a network namespace for
 * `--network=none`); a host `sh` script mounts /proc, a minimal /dev, /etc/hosts and
 * /etc/resolv.conf into the rootfs inside that private mount namespace, and `unshare --root`
 * chroots into it. The mounts vanish with the namespace, so nothing of them reaches the layer.
 *
 * Differences from {@link BwrapExecutor}: root keeps all capabilities, and a non-root USER needs
 * util-linux 2.38 (`--setuid`/`--setgid`) and a root host.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Executor, RunRequest, RunResult } from './types.js';
import { setUpSandbox, type PlannedMount } from './sandbox-setup.js';
import { launch, requestStreams } from './process.js';
import { findExecutable } from './tools.js';
import { NoSandboxError, SandboxSetupError } from './errors.js';

/** Quotes `value` for POSIX sh. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The device nodes of the minimal /dev, bound from the host as bwrap and runc do. */
export const DEV_NODES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'] as const;

/** Host tools the setup script calls by absolute path (the environment is the container's). */
export interface UnshareTools {
  unshare: string;
  mount: string;
  sh: string;
  ln: string;
  mkdir: string;
  /** `hostname` (inetutils/hostname package); optional: /proc/sys is tried when missing. */
  hostname?: string | undefined;
}

/** Inputs of {@link unshareScript}. */
export interface UnsharePlan {
  rootfs: string;
  args: string[];
  cwd: string;
  hostname: string;
  /** Resolved in-rootfs paths of /proc and /dev. */
  procPath: string;
  devPath: string;
  mounts: PlannedMount[];
  /** Set for a non-root image user (a root host only). */
  user?: { uid: number; gid: number } | undefined;
  tools: UnshareTools;
}

/** The shell script run inside the new namespaces: mounts, then `exec unshare --root ... -- args`. Pure. */
export function unshareScript(plan: UnsharePlan): string {
  const q = shellQuote;
  const { mount, ln, mkdir, unshare } = plan.tools;
  const root = resolve(plan.rootfs);
  const at = (target: string) => q(`${root}${target === '/' ? '' : target}`);
  const lines = [
    'set -e',
    `${q(mount)} -t proc -o nosuid,nodev,noexec proc ${at(plan.procPath)}`,
    `${q(mount)} -t tmpfs -o nosuid,mode=0755,size=65536k tmpfs ${at(plan.devPath)}`,
  ];
  // Below here /dev is our fresh tmpfs: nothing in it can be a symlink planted by the image.
  const dev = (name: string) => at(`${plan.devPath}/${name}`);
  for (const node of DEV_NODES) lines.push(`: > ${dev(node)}`, `${q(mount)} --bind /dev/${node} ${dev(node)}`);
  lines.push(`${q(mkdir)} ${dev('pts')} ${dev('shm')}`);
  lines.push(`${q(ln)} -s /proc/self/fd ${dev('fd')}`);
  ['stdin', 'stdout', 'stderr'].forEach((name, fd) => lines.push(`${q(ln)} -s /proc/self/fd/${fd} ${dev(name)}`));
  for (const m of plan.mounts) {
    if (m.kind === 'tmpfs') {
      lines.push(`${q(mount)} -t tmpfs -o mode=0755 tmpfs ${at(m.target)}`);
    } else {
      lines.push(`${q(mount)} --rbind ${q(m.source ?? '')} ${at(m.target)}`);
      if (m.kind === 'ro-bind') lines.push(`${q(mount)} -o remount,bind,ro ${at(m.target)}`);
    }
  }
  // sethostname(2) works in a user namespace that owns the uts namespace; writing /proc/sys of the
  // host's procfs does not, hence the tool first. The hostname is cosmetic: never fail over it.
  lines.push(
    plan.tools.hostname
      ? `${q(plan.tools.hostname)} ${q(plan.hostname)} 2>/dev/null || :`
      : `echo ${q(plan.hostname)} 2>/dev/null > /proc/sys/kernel/hostname || :`,
  );
  const userArgs = plan.user ? ` --setgid ${plan.user.gid} --setuid ${plan.user.uid}` : '';
  lines.push(`exec ${q(unshare)} --root=${q(root)} --wd=${q(plan.cwd)}${userArgs} -- ${plan.args.map(q).join(' ')}`);
  return lines.join('\n');
}

/** The outer `unshare` arguments that create the namespaces the script runs in. */
export function unshareArguments(options: { rootless: boolean; network: 'host' | 'none' }): string[] {
  const out = ['--mount', '--pid', '--fork', '--ipc', '--uts', '--propagation', 'private', '--kill-child'];
  if (options.rootless) out.unshift('--user', '--map-root-user');
  if (options.network === 'none') out.push('--net');
  return out;
}

let setuidSupport: boolean | undefined;

function unshareSupportsSetuid(unshare: string): boolean {
  setuidSupport ??= (() => {
    try {
      return execFileSync(unshare, ['--help'], { encoding: 'utf8' }).includes('--setuid');
    } catch {
      return false;
    }
  })();
  return setuidSupport;
}

/** Runs commands with util-linux `unshare` and chroot. */
export class UnshareExecutor implements Executor {
  async run(req: RunRequest): Promise<RunResult> {
    const tools = {
      unshare: findExecutable('unshare'),
      mount: findExecutable('mount'),
      sh: findExecutable('sh'),
      ln: findExecutable('ln'),
      mkdir: findExecutable('mkdir'),
    };
    const hostname = findExecutable('hostname');
    const missing = Object.entries(tools).filter(([, path]) => path === undefined).map(([name]) => name);
    if (missing.length > 0) throw new NoSandboxError(`the unshare sandbox needs ${missing.join(', ')} on the host`);
    const setup = setUpSandbox(req);
    try {
      const rootless = (process.getuid?.() ?? -1) !== 0;
      const { user } = setup;
      const nonRoot = user.uid !== 0 || user.gid !== 0;
      if (nonRoot && rootless) {
        throw new SandboxSetupError(`USER ${req.user ?? ''} needs root or bubblewrap: a rootless unshare sandbox maps only root`, {
          hint: 'install bubblewrap',
        });
      }
      if (nonRoot && !unshareSupportsSetuid(tools.unshare!)) {
        throw new SandboxSetupError(`USER ${req.user ?? ''} needs util-linux 2.38 or later (unshare --setuid)`, { hint: 'install bubblewrap' });
      }
      const script = unshareScript({
        rootfs: req.rootfs,
        args: req.args,
        cwd: setup.cwd,
        hostname: setup.hostname,
        procPath: setup.procPath,
        devPath: setup.devPath,
        mounts: setup.mounts,
        user: nonRoot ? { uid: user.uid, gid: user.gid } : undefined,
        tools: { ...(tools as Omit<UnshareTools, 'hostname'>), hostname },
      });
      const exitCode = await launch(tools.unshare!, [...unshareArguments({ rootless, network: req.network }), '--', tools.sh!, '-c', script], {
        env: Object.fromEntries(setup.env),
        ...requestStreams(req),
      });
      return { exitCode };
    } finally {
      setup.dispose();
    }
  }
}
