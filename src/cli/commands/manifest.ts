/**
 * `oci-kit manifest REF`: the raw manifest (or index) bytes of an image, exactly as stored, so
 * `oci-kit manifest x | sha256sum` matches `oci-kit digest x`.
 *
 * @module
 */
import { rawManifest } from '../../store/catalog.js';
import { openStoreForReading } from '../../store/open.js';
import { UsageError, stringOption, type Command } from '../command.js';

export const manifestCommand: Command = {
  name: 'manifest',
  summary: 'Print the raw manifest (or index) of an image',
  usage: 'manifest [--platform OS/ARCH] REF',
  options: { platform: { type: 'string' } },
  optionHelp: { platform: 'print the manifest of this platform instead of the index' },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`manifest needs exactly one image name, got ${ctx.args.length}`);
    const store = await openStoreForReading(ctx.storePath);
    const { bytes } = await rawManifest(store, ctx.args[0]!, { platform: stringOption(ctx.options, 'platform') });
    ctx.stdout.write(bytes);
    if (ctx.stdout.isTTY && bytes.at(-1) !== 0x0a) ctx.stdout.write('\n');
  },
};
