/**
 * `oci-kit copy SRC DST`: copies an image between registries, OCI layouts and the store, keeping
 * every digest (like `skopeo copy --preserve-digests`).
 *
 * @module
 */
import { copy } from '../../registry/copy.js';
import { parseImageLocation } from '../../registry/location.js';
import { openStoreForWriting } from '../../store/open.js';
import { UsageError, printJson, stringOption, type Command } from '../command.js';
import { megabytes, registryClientFor } from './registry.js';

export const copyCommand: Command = {
  name: 'copy',
  aliases: ['cp'],
  summary: 'Copy an image between registries, OCI layouts and the store',
  usage: 'copy [--platform P|all] SRC DST',
  description: [
    'SRC and DST are each one of:',
    '  REF or docker://REF   an image in a registry (e.g. localhost:5000/app:1)',
    '  oci:DIR:NAME          an OCI image layout directory and a tag in its index.json',
    '  store:NAME            an image in the oci-kit store (--store)',
    'Digests are kept; every platform is copied unless --platform picks one.',
  ].join('\n'),
  options: { platform: { type: 'string' } },
  optionHelp: { platform: 'copy only this platform of a multi-platform image (default: all)' },
  async run(ctx) {
    if (ctx.args.length !== 2) throw new UsageError(`copy needs exactly 2 arguments (SRC DST), got ${ctx.args.length}`);
    const openStore = () => openStoreForWriting(ctx.storePath);
    const source = await parseImageLocation(ctx.args[0]!, { openStore });
    const destination = await parseImageLocation(ctx.args[1]!, { openStore, create: true });
    const client = registryClientFor(ctx);
    try {
      const platform = stringOption(ctx.options, 'platform');
      const result = await copy(source, destination, { client, signal: ctx.signal, ...(platform ? { platform } : {}) });
      if (ctx.format === 'json') printJson(ctx.stdout, result);
      else if (!ctx.quiet) {
        ctx.stdout.write(
          result.upToDate
            ? `Copied to ${result.name}: already up to date (${result.blobs.skipped} blobs already present)\n`
            : `Copied to ${result.name}: ${result.blobs.copied} blobs (${megabytes(result.bytes)}), ${result.blobs.skipped} already present, ${result.blobs.mounted} mounted\n`,
        );
        ctx.stdout.write(`Digest: ${result.descriptor.digest}\n`);
      }
    } finally {
      client.close();
    }
  },
};
