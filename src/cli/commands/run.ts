/**
 * `oci-kit run [options] IMAGE [CMD...]`: `docker run` over a local image without a daemon, in the
 * same sandbox as Dockerfile RUN, and with `--commit NEWREF` `docker commit` of the result. A thin
 * shell over {@link runContainer}; exits with the command's exit code.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { runContainer } from '../../build/executor/container.js';
import { OciLayout } from '../../store/layout.js';
import { familiarReference, parseReference } from '../../reference/index.js';
import { UsageError, listOption, printJson, stringOption, type Command, type CommandContext } from '../command.js';

/** `-e` values: `K=V` as given, a bare `K` takes the caller's value and is dropped when unset (docker run). */
export function environmentOptions(values: string[], env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const value of values) {
    if (value.startsWith('=') || value === '') throw new UsageError(`invalid environment variable "${value}"`);
    if (value.includes('=')) out.push(value);
    else if (env[value] !== undefined) out.push(`${value}=${env[value]}`);
  }
  return out;
}

/** `--network`: only the two modes the sandbox has. */
export function networkOption(value: string | undefined): 'host' | 'none' {
  if (value === undefined || value === 'host' || value === 'default') return 'host';
  if (value === 'none') return 'none';
  throw new UsageError(`--network must be "host" or "none", not "${value}" (oci-kit has no bridge networks)`);
}

const TERMINAL_SIGNALS = ['SIGINT', 'SIGQUIT'] as const;

export const runCommand: Command = {
  name: 'run',
  summary: 'Run a command in a new sandbox over an image, optionally committing the result',
  usage: 'run [--rm] [-i] [-t] [--commit NEWREF] [-e K=V]... [-w DIR] [-u USER] [--network MODE] IMAGE [CMD...]',
  description:
    'Extracts IMAGE from the store into a temporary rootfs and runs CMD (default: the image\'s\n' +
    'Entrypoint + Cmd) in a bubblewrap or unshare sandbox, like Dockerfile RUN. With --commit the\n' +
    'filesystem changes become a new image on top of IMAGE (only when CMD exits 0). There are no\n' +
    'containers: the rootfs is always deleted (so --rm is implied) unless --keep DIR names a\n' +
    'directory to leave it in. Options must come before IMAGE; everything after it is the command.\n' +
    'Exits with the command\'s exit code.',
  optionsAnywhere: false,
  options: {
    rm: { type: 'boolean' },
    interactive: { type: 'boolean', short: 'i' },
    tty: { type: 'boolean', short: 't' },
    commit: { type: 'string' },
    message: { type: 'string', short: 'm' },
    author: { type: 'string' },
    env: { type: 'string', short: 'e', multiple: true },
    workdir: { type: 'string', short: 'w' },
    user: { type: 'string', short: 'u' },
    network: { type: 'string' },
    entrypoint: { type: 'string' },
    platform: { type: 'string' },
    keep: { type: 'string' },
  },
  optionHelp: {
    rm: 'accepted for docker compatibility: the rootfs is always removed unless --keep',
    interactive: 'pass stdin to the command',
    tty: 'share this terminal with the command (needs a terminal); -it with no CMD runs the image\'s Cmd, else /bin/sh',
    commit: 'commit the changes as a new image tagged NEWREF when the command exits 0',
    message: 'commit message (history comment)',
    author: 'commit author',
    env: 'set an environment variable (K=V, or K to pass this process\'s value)',
    workdir: 'working directory inside the image',
    user: 'user[:group] to run as (names from the image\'s /etc/passwd and /etc/group)',
    network: 'host (default) or none',
    entrypoint: 'replace the image\'s entrypoint ("" clears it)',
    platform: 'platform to pick when IMAGE is a multi-platform index',
    keep: 'leave the rootfs in DIR (new or empty) instead of deleting it',
  },
  async run(ctx: CommandContext) {
    const [image, ...cmd] = ctx.args;
    if (!image) throw new UsageError('an IMAGE is required');
    const tty = ctx.options.tty === true;
    if (tty && !ctx.stdin.isTTY) throw new UsageError('the input device is not a TTY; drop -t, or run in a terminal');
    const interactive = ctx.options.interactive === true;
    const entrypointText = stringOption(ctx.options, 'entrypoint');
    const commitRef = stringOption(ctx.options, 'commit');
    const message = stringOption(ctx.options, 'message');
    const author = stringOption(ctx.options, 'author');
    const store = await OciLayout.open(ctx.storePath, { create: true });
    const imageName = image.startsWith('sha256:') ? image : familiarReference(parseReference(image));
    // With a terminal, Ctrl-C and Ctrl-\ belong to the command (as with docker run -it): this
    // process must neither die of them nor abort the run.
    const ignore = () => {};
    if (tty) for (const signal of TERMINAL_SIGNALS) process.on(signal, ignore);
    let result;
    try {
      result = await runContainer(store, image, {
        cmd, // empty: the image's Cmd (with -it usually a shell)
        defaultCommand: tty ? ['/bin/sh'] : undefined,
        entrypoint: entrypointText === undefined ? undefined : entrypointText === '' ? [] : [entrypointText],
        env: environmentOptions(listOption(ctx.options, 'env'), ctx.env),
        workdir: stringOption(ctx.options, 'workdir'),
        user: stringOption(ctx.options, 'user'),
        network: networkOption(stringOption(ctx.options, 'network')),
        platform: stringOption(ctx.options, 'platform'),
        keep: stringOption(ctx.options, 'keep'),
        tty,
        stdin: interactive && !tty ? (ctx.stdin as unknown as Readable) : undefined,
        stdout: ctx.stdout as unknown as Writable,
        stderr: ctx.stderr as unknown as Writable,
        signal: tty ? undefined : ctx.signal,
        commit:
          commitRef === undefined
            ? undefined
            : { tag: commitRef, ...(message === undefined ? {} : { message }), ...(author === undefined ? {} : { author }) },
      });
    } finally {
      if (tty) for (const signal of TERMINAL_SIGNALS) process.off(signal, ignore);
    }
    if (ctx.format === 'json') {
      printJson(ctx.stderr, {
        image: imageName,
        args: result.args,
        exitCode: result.exitCode,
        ...(result.committed ? { committed: { digest: result.committed.descriptor.digest, tag: result.tag } } : {}),
        ...(result.rootfs ? { rootfs: result.rootfs } : {}),
      });
    } else if (commitRef !== undefined && !ctx.quiet) {
      if (result.committed) {
        ctx.stderr.write(`Committed ${familiarReference(parseReference(commitRef))} ${result.committed.descriptor.digest}\n`);
      } else {
        ctx.stderr.write(`Not committed: the command exited with code ${result.exitCode}\n`);
      }
    }
    if (result.rootfs && !ctx.quiet && ctx.format !== 'json') ctx.stderr.write(`Rootfs kept in ${result.rootfs}\n`);
    return result.exitCode;
  },
};
