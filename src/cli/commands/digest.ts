/**
 * `oci-kit digest REF`: the digest of the manifest (or index) a name points at, like `crane digest`.
 *
 * @module
 */
import { rawManifest } from '../../store/catalog.js';
import { openStoreForReading } from '../../store/open.js';
import { UsageError, printJson, stringOption, type Command } from '../command.js';

export const digestCommand: Command = {
  name: 'digest',
  summary: 'Print the manifest digest of an image',
  usage: 'digest [--platform OS/ARCH] REF',
  options: { platform: { type: 'string' } },
  optionHelp: { platform: 'the digest of this platform\'s manifest instead of the index' },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`digest needs exactly one image name, got ${ctx.args.length}`);
    const store = await openStoreForReading(ctx.storePath);
    const { descriptor } = await rawManifest(store, ctx.args[0]!, { platform: stringOption(ctx.options, 'platform') });
    if (ctx.format === 'json') printJson(ctx.stdout, descriptor);
    else ctx.stdout.write(`${descriptor.digest}\n`);
  },
};
