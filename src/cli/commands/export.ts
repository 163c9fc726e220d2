/**
 * `oci-kit export REF [-o FILE]`: writes the merged filesystem of an image (whiteouts applied) as a
 * plain tar, to FILE or to stdout when stdout is not a terminal.
 *
 * @module
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { ArchiveError, exportImage } from '../../archive/index.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, stringOption, type Command } from '../command.js';

export const exportCommand: Command = {
  name: 'export',
  summary: "Write an image's flattened filesystem as a tar",
  usage: 'export REF [-o FILE] [--platform P]',
  options: { output: { type: 'string', short: 'o' }, platform: { type: 'string' } },
  optionHelp: { output: 'tar file to write (default: stdout)', platform: 'platform to pick from a multi-platform REF' },
  async run(ctx) {
    const [ref, ...extra] = ctx.args;
    if (!ref || extra.length) throw new UsageError('export takes exactly one image reference');
    const output = stringOption(ctx.options, 'output');
    if ((!output || output === '-') && ctx.stdout.isTTY) {
      throw new ArchiveError('ERR_ARCHIVE_TTY', 'refusing to write a tar to a terminal', { hint: 'use -o FILE or redirect stdout' });
    }
    const platform = stringOption(ctx.options, 'platform');
    const options = { signal: ctx.signal, ...(platform ? { platform } : {}) };
    const store = await OciLayout.open(ctx.storePath);
    if (!output || output === '-') {
      await exportImage(store, ref, ctx.stdout, options);
      return;
    }
    const temp = `${output}.${process.pid}.tmp`;
    try {
      await exportImage(store, ref, createWriteStream(temp, { flags: 'wx' }), options);
      await rename(temp, output);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  },
};
