/**
 * Starting the sandbox launcher as a child process and turning its end into an exit code: the
 * command's streams are wired to the request's, a command killed by signal N yields 128 + N (as
 * shells and `docker run` report it), and aborting kills the launcher's whole process group; the
 * sandboxes run with `--die-with-parent` / `--kill-child` and their own pid namespace, so the
 * command's descendants go with it.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';

/** How to start one launcher process. */
export interface LaunchOptions {
  env: NodeJS.ProcessEnv;
  stdin?: Readable | undefined;
  stdout?: Writable | undefined;
  stderr?: Writable | undefined;
  tty?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** The stream, terminal and abort settings of a run request, as {@link launch} takes them. */
export function requestStreams(req: Omit<LaunchOptions, 'env'>): Omit<LaunchOptions, 'env'> {
  return { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, tty: req.tty, signal: req.signal };
}

/** Runs `file args` and resolves with its exit code; rejects with the abort reason when aborted. */
export function launch(file: string, args: string[], options: LaunchOptions): Promise<number> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const interactive = options.tty === true;
    const child = spawn(file, args, {
      env: options.env,
      // A process group of its own lets an abort kill everything at once; an interactive
      // command instead stays in the terminal's foreground group so job control works.
      detached: !interactive,
      stdio: interactive
        ? 'inherit'
        : [options.stdin ? 'pipe' : 'ignore', options.stdout ? 'pipe' : 'ignore', options.stderr ? 'pipe' : 'ignore'],
    });
    let settled = false;
    const onAbort = () => {
      killGroup(child.pid, interactive);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (!interactive) {
      if (options.stdin && child.stdin) {
        child.stdin.on('error', () => {}); // the command may exit without reading its input (EPIPE)
        options.stdin.pipe(child.stdin);
      }
      if (options.stdout && child.stdout) child.stdout.pipe(options.stdout, { end: false });
      if (options.stderr && child.stderr) child.stderr.pipe(options.stderr, { end: false });
    }
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signalName) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (options.stdin && child.stdin) options.stdin.unpipe(child.stdin);
      if (signal?.aborted) return reject(abortReason(signal));
      resolve(exitCodeOf(code, signalName));
    });
  });
}

/** The shell convention for a process's end: its exit status, or 128 + the number of the killing signal. */
export function exitCodeOf(code: number | null, signalName: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signalName ? constants.signals[signalName] : undefined;
  return 128 + (number ?? 0);
}

function killGroup(pid: number | undefined, interactive: boolean): void {
  if (pid === undefined) return;
  try {
    process.kill(interactive ? pid : -pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}
