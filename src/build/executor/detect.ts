/**
 * Choosing how RUN runs on this host: bubblewrap when it works, else util-linux `unshare`, else an
 * {@link NoSandboxError} naming the fix. Each candidate is probed once per process by actually
 * creating its namespaces (a kernel or a seccomp profile may forbid them although the tool is
 * installed). `OCI_KIT_SANDBOX=bwrap|unshare` forces one.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import type { Executor, RunRequest, RunResult } from './types.js';
import { BwrapExecutor } from './bwrap.js';
import { UnshareExecutor } from './unshare.js';
import { findExecutable } from './tools.js';
import { NoSandboxError } from './errors.js';

/** The sandbox kinds this module implements. */
export type SandboxKind = 'bwrap' | 'unshare';

/** Why a candidate cannot be used, for the error message. */
interface Probe {
  kind: SandboxKind;
  ok: boolean;
  reason: string;
}

const probes = new Map<SandboxKind, Probe>();

function probe(kind: SandboxKind): Probe {
  let result = probes.get(kind);
  if (result) return result;
  const rootless = (process.getuid?.() ?? -1) !== 0;
  const tool = findExecutable(kind);
  const truePath = findExecutable('true');
  if (!tool || !truePath) {
    result = { kind, ok: false, reason: `${kind} is not installed` };
  } else {
    const args =
      kind === 'bwrap'
        ? ['--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--unshare-pid', '--unshare-ipc', '--unshare-uts', ...(rootless ? ['--unshare-user'] : []), truePath]
        : [...(rootless ? ['--user', '--map-root-user'] : []), '--mount', '--pid', '--fork', '--ipc', '--uts', truePath];
    const run = spawnSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    const ok = run.status === 0;
    result = { kind, ok, reason: ok ? '' : `${kind} cannot create namespaces here: ${(run.stderr || run.error?.message || `exit ${run.status}`).trim()}` };
  }
  probes.set(kind, result);
  return result;
}

/** The first sandbox kind that works on this host, or a {@link NoSandboxError} saying why none does. */
export function detectSandbox(env: NodeJS.ProcessEnv = process.env): SandboxKind {
  if (process.platform !== 'linux') {
    throw new NoSandboxError(`RUN needs Linux namespaces; this is ${process.platform}`, {
      hint: 'run the build on Linux (or in a Linux VM/container), or pass your own Executor (the `executor` option)',
    });
  }
  const forced = env.OCI_KIT_SANDBOX;
  const order: SandboxKind[] = forced === 'bwrap' || forced === 'unshare' ? [forced] : ['bwrap', 'unshare'];
  const reasons: string[] = [];
  for (const kind of order) {
    const result = probe(kind);
    if (result.ok) return kind;
    reasons.push(result.reason);
  }
  throw new NoSandboxError(`no sandbox to run commands in: ${reasons.join('; ')}`);
}

/** An executor of the given kind. */
export function createExecutor(kind: SandboxKind): Executor {
  return kind === 'bwrap' ? new BwrapExecutor() : new UnshareExecutor();
}

/**
 * The executor RUN uses by default: picks bubblewrap or unshare on its first run (so creating it
 * never fails; a host without a sandbox fails when a command is actually run, with ERR_NO_SANDBOX).
 */
export function defaultExecutor(): Executor {
  let chosen: Executor | undefined;
  return {
    run(req: RunRequest): Promise<RunResult> {
      try {
        chosen ??= createExecutor(detectSandbox());
      } catch (err) {
        return Promise.reject(err);
      }
      return chosen.run(req);
    },
  };
}
