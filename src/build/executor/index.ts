/**
 * Running commands over a rootfs without a daemon (Dockerfile RUN, `oci-kit run`): the
 * {@link Executor} contract, the bubblewrap and unshare sandboxes, and {@link defaultExecutor},
 * which picks the one that works here.
 *
 * @module
 */
export type { Executor, RunMount, RunRequest, RunResult } from './types.js';
export { defaultExecutor, detectSandbox, createExecutor, type SandboxKind } from './detect.js';
export { BwrapExecutor, type BwrapExecutorOptions } from './bwrap.js';
export { UnshareExecutor } from './unshare.js';
export { resolveUser, resolveUserSpec, parsePasswd, parseGroup, type ResolvedUser } from './user.js';
export { NoSandboxError, UnknownUserError, SandboxSetupError } from './errors.js';
export {
  runContainer,
  containerCommand,
  mergeEnv,
  type RunContainerOptions,
  type RunContainerResult,
  type CommitOptions,
} from './container.js';
export { createBusyboxImage, findBusybox, type BusyboxImageOptions } from './busybox-image.js';
