/**
 * `oci-kit import FILE|-|URL [REF] [--change INSTR]... [--platform P]`: makes a one-layer image of
 * a root filesystem tarball (plain, gzip or zstd), like `docker import`.
 *
 * @module
 */
import { importRootfs, progressLine, type ImportSource } from '../../archive/index.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, listOption, stringOption, type Command } from '../command.js';
import { printSurgeryResult } from './mutate.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'Make an image from a root filesystem tarball',
  usage: 'import FILE|-|URL [REF] [-c INSTR]... [--platform P] [-m MESSAGE]',
  description: 'INSTR is one Dockerfile instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME or STOPSIGNAL.',
  options: {
    change: { type: 'string', multiple: true, short: 'c' },
    platform: { type: 'string' },
    message: { type: 'string', short: 'm' },
  },
  optionHelp: { change: 'apply a Dockerfile instruction to the config', platform: 'image platform (default: the host)', message: 'history comment' },
  async run(ctx) {
    const [input, ref, ...extra] = ctx.args;
    if (!input || extra.length) throw new UsageError('import takes a tarball (FILE, - or URL) and an optional REF');
    if (input === '-' && ctx.stdin.isTTY) throw new UsageError('refusing to read a tarball from a terminal; pipe one in');
    const source: ImportSource = input === '-' ? (ctx.stdin as unknown as AsyncIterable<Uint8Array>) : input;
    const platform = stringOption(ctx.options, 'platform');
    const message = stringOption(ctx.options, 'message');
    const store = await OciLayout.open(ctx.storePath, { create: true });
    const progress = progressLine(ctx.stderr, 'Importing');
    try {
      const result = await importRootfs(source, store, {
        changes: listOption(ctx.options, 'change'),
        signal: ctx.signal,
        onProgress: (bytes) => progress.update(bytes),
        ...(ref ? { ref } : {}),
        ...(platform ? { platform } : {}),
        ...(message ? { message } : {}),
      });
      printSurgeryResult(ctx, result.tag ? { descriptor: result.descriptor, tag: result.tag } : { descriptor: result.descriptor });
    } finally {
      progress.finish();
    }
  },
};
