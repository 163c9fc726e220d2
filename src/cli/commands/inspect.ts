/**
 * `oci-kit inspect REF`: the image's record as JSON in the shape `docker image inspect` prints.
 *
 * @module
 */
import { inspectImage } from '../../store/catalog.js';
import { openStoreForReading } from '../../store/open.js';
import { UsageError, printJson, stringOption, type Command } from '../command.js';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Show an image as JSON, shaped like docker image inspect',
  usage: 'inspect [--platform OS/ARCH] REF...',
  options: { platform: { type: 'string' } },
  optionHelp: { platform: 'which image of a multi-platform index (default: the host platform)' },
  async run(ctx) {
    if (ctx.args.length === 0) throw new UsageError('inspect needs an image name');
    const store = await openStoreForReading(ctx.storePath);
    const platform = stringOption(ctx.options, 'platform');
    const records = [];
    for (const ref of ctx.args) records.push(await inspectImage(store, ref, { platform }));
    printJson(ctx.stdout, records);
  },
};
