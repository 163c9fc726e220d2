/**
 * `oci-kit mutate REF [...]`: changes an image's config fields or manifest annotations, like
 * `crane mutate`; layers are kept. Also holds the output shared by the surgery commands.
 *
 * @module
 */
import { mutateImage, remoteSurgery, type ImageMutation, type SurgeryResult } from '../../archive/index.js';
import type { ImageStore } from '../../store/blob-store.js';
import { familiarReference, parseReference } from '../../reference/index.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, listOption, printJson, stringOption, type Command, type CommandContext } from '../command.js';

/** Prints what a surgery wrote: `name@digest` (or the digest), or JSON. */
export function printSurgeryResult(ctx: CommandContext, result: SurgeryResult): void {
  if (ctx.format === 'json') {
    printJson(ctx.stdout, result);
    return;
  }
  const name = result.tag ? `${familiarReference(parseReference(result.tag))}@` : '';
  ctx.stdout.write(`${name}${result.descriptor.digest}\n`);
}

/**
 * Runs a surgery on the store, or with `--remote`: pulls `inputs` from their registries first and
 * pushes the result to its tag afterwards; then prints the result.
 */
export async function runSurgery(ctx: CommandContext, store: ImageStore, inputs: string[], operation: () => Promise<SurgeryResult>, platform?: string): Promise<void> {
  if (ctx.options.remote !== true) {
    printSurgeryResult(ctx, await operation());
    return;
  }
  const result = await remoteSurgery(store, inputs, operation, { signal: ctx.signal, ...(platform ? { platform } : {}) });
  printSurgeryResult(ctx, { descriptor: result.descriptor, ...(result.tag ? { tag: result.tag } : {}) });
  if (!ctx.quiet) ctx.stderr.write(`Pushed ${result.pushed.name} (${result.pushed.blobs.copied} blobs sent, ${result.pushed.blobs.skipped} already there)\n`);
}

/** Option declaration and help shared by the surgery commands. */
export const REMOTE_OPTION = { remote: { type: 'boolean' } } as const;
export const REMOTE_HELP = 'the references are in registries: pull them first, push the result to its tag';

/** `KEY=VALUE` flags as a map; a bare KEY maps to '' (removal). */
export function keyValues(values: string[], flag: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq === 0) throw new UsageError(`--${flag} takes KEY=VALUE, not "${value}"`);
    if (eq < 0) map[value] = '';
    else map[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return map;
}

/** `["a","b"]` (JSON) or `a b` (split on spaces); an empty string clears (null). */
export function commandLine(value: string, flag: string): string[] | null {
  if (value.trim() === '') return null;
  if (value.trim().startsWith('[')) {
    const parsed = JSON.parse(value) as unknown;
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new UsageError(`--${flag} JSON must be an array of strings`);
    return parsed;
  }
  return value.trim().split(/\s+/);
}

export const mutateCommand: Command = {
  name: 'mutate',
  summary: 'Change config fields or annotations of an image (layers are kept)',
  usage: 'mutate REF [--entrypoint CMD] [--cmd CMD] [--env K=V]... [--label K=V]... [--annotation K=V]... [--user U] [--workdir DIR] [--expose PORT]... [--set-platform P] [-t TAG]',
  description: 'CMD is a JSON array or words split on spaces; an empty value clears it. The result replaces REF\'s tag unless -t is given.',
  options: {
    entrypoint: { type: 'string' },
    cmd: { type: 'string' },
    env: { type: 'string', multiple: true },
    label: { type: 'string', multiple: true, short: 'l' },
    annotation: { type: 'string', multiple: true, short: 'a' },
    user: { type: 'string', short: 'u' },
    workdir: { type: 'string', short: 'w' },
    expose: { type: 'string', multiple: true },
    'set-platform': { type: 'string' },
    platform: { type: 'string' },
    tag: { type: 'string', short: 't' },
    ...REMOTE_OPTION,
  },
  optionHelp: {
    remote: REMOTE_HELP,
    entrypoint: 'new entrypoint',
    cmd: 'new default command',
    env: 'set KEY=VALUE (KEY alone removes it)',
    label: 'set a label KEY=VALUE (KEY alone removes it)',
    annotation: 'set a manifest annotation KEY=VALUE',
    user: 'user (and group) to run as',
    workdir: 'working directory',
    expose: 'add an exposed port (8080, 53/udp)',
    'set-platform': 'record another platform (os/arch[/variant]) in the config',
    platform: 'platform to pick from a multi-platform REF',
    tag: 'tag for the result (default: REF\'s tag)',
  },
  async run(ctx) {
    const [ref, ...extra] = ctx.args;
    if (!ref || extra.length) throw new UsageError('mutate takes exactly one image reference');
    const mutation: ImageMutation = {};
    const o = ctx.options;
    const entrypoint = stringOption(o, 'entrypoint');
    if (entrypoint !== undefined) mutation.entrypoint = commandLine(entrypoint, 'entrypoint');
    const cmd = stringOption(o, 'cmd');
    if (cmd !== undefined) mutation.cmd = commandLine(cmd, 'cmd');
    if (listOption(o, 'env').length) mutation.env = listOption(o, 'env');
    if (listOption(o, 'label').length) mutation.labels = keyValues(listOption(o, 'label'), 'label');
    if (listOption(o, 'annotation').length) mutation.annotations = keyValues(listOption(o, 'annotation'), 'annotation');
    const user = stringOption(o, 'user');
    if (user !== undefined) mutation.user = user;
    const workdir = stringOption(o, 'workdir');
    if (workdir !== undefined) mutation.workdir = workdir;
    if (listOption(o, 'expose').length) mutation.exposedPorts = listOption(o, 'expose');
    const setPlatform = stringOption(o, 'set-platform');
    if (setPlatform) mutation.platform = setPlatform;
    if (Object.keys(mutation).length === 0) throw new UsageError('nothing to change: give at least one of --entrypoint, --cmd, --env, --label, --annotation, --user, --workdir, --expose, --set-platform');
    const store = await OciLayout.open(ctx.storePath, { create: ctx.options.remote === true });
    const tag = stringOption(o, 'tag');
    const platform = stringOption(o, 'platform');
    await runSurgery(ctx, store, [ref], () => mutateImage(store, ref, mutation, { ...(tag ? { tag } : {}), ...(platform ? { platform } : {}) }), platform);
  },
};
