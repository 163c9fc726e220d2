/**
 * `oci-kit config REF`: the raw image config bytes (image-spec config.md), exactly as stored.
 *
 * @module
 */
import { rawConfig } from '../../store/catalog.js';
import { openStoreForReading } from '../../store/open.js';
import { UsageError, stringOption, type Command } from '../command.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'Print the raw config of an image',
  usage: 'config [--platform OS/ARCH] REF',
  options: { platform: { type: 'string' } },
  optionHelp: { platform: 'which image of a multi-platform index (default: the host platform)' },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`config needs exactly one image name, got ${ctx.args.length}`);
    const store = await openStoreForReading(ctx.storePath);
    const { bytes } = await rawConfig(store, ctx.args[0]!, { platform: stringOption(ctx.options, 'platform') });
    ctx.stdout.write(bytes);
    if (ctx.stdout.isTTY && bytes.at(-1) !== 0x0a) ctx.stdout.write('\n');
  },
};
