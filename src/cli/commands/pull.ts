/**
 * `oci-kit pull REF`: pulls an image from its registry into the store, like `docker pull`.
 *
 * @module
 */
import { pull } from '../../registry/copy.js';
import { openStoreForWriting } from '../../store/open.js';
import { familiarReference, parseReference } from '../../reference/reference.js';
import { UsageError, printJson, stringOption, type Command } from '../command.js';
import { megabytes, registryClientFor } from './registry.js';

export const pullCommand: Command = {
  name: 'pull',
  summary: 'Pull an image from a registry into the store',
  usage: 'pull [--platform OS/ARCH[/VARIANT]|all] REF',
  description: 'The image is tagged in the store with its full reference. Credentials come from the Docker config (oci-kit login).',
  options: { platform: { type: 'string' } },
  optionHelp: { platform: 'platform to pull from a multi-platform image (default: this machine); "all" keeps the whole index' },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`pull needs exactly 1 argument (REF), got ${ctx.args.length}`);
    const ref = parseReference(ctx.args[0]!);
    const store = await openStoreForWriting(ctx.storePath);
    const client = registryClientFor(ctx);
    try {
      const platform = stringOption(ctx.options, 'platform');
      const result = await pull(ref, store, { client, signal: ctx.signal, ...(platform ? { platform } : {}) });
      if (ctx.format === 'json') printJson(ctx.stdout, result);
      else if (!ctx.quiet) {
        ctx.stdout.write(`Pulled ${familiarReference(ref)}: ${result.blobs.copied} blobs (${megabytes(result.bytes)}), ${result.blobs.skipped} already present\n`);
        ctx.stdout.write(`Digest: ${result.descriptor.digest}\n`);
      }
    } finally {
      client.close();
    }
  },
};
