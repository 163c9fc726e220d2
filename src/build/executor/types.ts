/**
 * The contract between the build engine (RUN, `oci-kit run`, `ImageBuilder.run`) and whatever runs
 * a command over a materialised rootfs. The engine snapshots the rootfs before calling
 * {@link Executor.run} and diffs it afterwards, so an executor must leave in the rootfs exactly what
 * the command changed: nothing of its own plumbing (mount points it had to create, /etc/hosts,
 * /etc/resolv.conf), and files keep the owner the command gave them.
 *
 * Docker's equivalent is the runtime spec the daemon hands to runc (OCI runtime-spec `config.json`:
 * `process.args`, `process.env`, `process.cwd`, `process.user`, `mounts`).
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';

/** One extra mount for the duration of a run (Dockerfile `RUN --mount=...`). */
export interface RunMount {
  /** `bind`: a host path; `tmpfs`: an empty in-memory directory; `cache`: a persistent host directory (read-write). */
  type: 'bind' | 'tmpfs' | 'cache';
  /** The host path for `bind` and `cache`; unused for `tmpfs`. */
  source?: string | undefined;
  /** Absolute path inside the rootfs. The mount point is removed afterwards if the executor had to create it. */
  target: string;
  /** Mount read-only (default false; `bind` mounts in Dockerfiles default to read-only, the caller decides). */
  readonly?: boolean | undefined;
}

/** One command to run over a rootfs. */
export interface RunRequest {
  /** The materialised rootfs directory; the command changes it in place. */
  rootfs: string;
  /** The argv, already shell-wrapped for shell form (e.g. `['/bin/sh', '-c', 'make']`). */
  args: string[];
  /**
   * `KEY=value` entries, the config's Env plus build args. As in Docker, `PATH` defaults to
   * `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` and `HOME` to the user's home
   * directory (from the rootfs /etc/passwd, else `/`) when missing.
   */
  env: string[];
  /** Absolute working directory inside the rootfs (created if missing, like Docker's WORKDIR). */
  cwd: string;
  /**
   * The config's User: `name`, `uid`, `name:group`, `uid:gid` (names resolved from the rootfs's
   * /etc/passwd and /etc/group). Absent or empty means root.
   */
  user?: string | undefined;
  /** `host` shares the host's network namespace (Docker's RUN default); `none` gives only loopback. */
  network: 'host' | 'none';
  /** Where the command's stdout goes (default: discarded). */
  stdout?: Writable | undefined;
  /** Where the command's stderr goes (default: discarded). */
  stderr?: Writable | undefined;
  /** The command's stdin (default: empty). */
  stdin?: Readable | undefined;
  /**
   * Interactive: the command shares this process's terminal (stdin/stdout/stderr are inherited and
   * the stream fields are ignored), so a shell gets job control like `docker run -it`.
   */
  tty?: boolean | undefined;
  /** Aborting kills the command and everything it started; `run` then rejects with the abort reason. */
  signal?: AbortSignal | undefined;
  /** Extra mounts; none of their contents become part of the rootfs. */
  mounts?: RunMount[] | undefined;
}

/** The outcome of a run that started. A command killed by signal N reports 128 + N, as shells and Docker do. */
export interface RunResult {
  exitCode: number;
}

/** Runs commands over a rootfs. Pass your own to the builder to run RUN steps elsewhere (a VM, a remote host). */
export interface Executor {
  /**
   * Runs `req.args` over `req.rootfs` and resolves with its exit code (a non-zero exit is not an
   * error here; the caller decides). Rejects when the command cannot be started at all (no sandbox,
   * unknown user, missing rootfs) or when `req.signal` aborts.
   */
  run(req: RunRequest): Promise<RunResult>;
}
