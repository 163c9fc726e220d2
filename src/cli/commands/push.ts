/**
 * `oci-kit push SRC [DEST]`: pushes an image of the store to a registry (DEST defaults to SRC).
 *
 * @module
 */
import { push } from '../../registry/copy.js';
import { openStoreForReading } from '../../store/open.js';
import { UsageError, printJson, type Command } from '../command.js';
import { megabytes, registryClientFor } from './registry.js';

export const pushCommand: Command = {
  name: 'push',
  summary: 'Push an image from the store to a registry',
  usage: 'push SRC [DEST]',
  description: 'SRC is an image name in the store; DEST a registry reference (default: SRC). Blobs the registry has are skipped.',
  async run(ctx) {
    if (ctx.args.length < 1 || ctx.args.length > 2) throw new UsageError(`push needs 1 or 2 arguments (SRC [DEST]), got ${ctx.args.length}`);
    const [source, destination] = ctx.args as [string, string | undefined];
    const store = await openStoreForReading(ctx.storePath);
    const client = registryClientFor(ctx);
    try {
      const result = await push(store, source, destination, { client, signal: ctx.signal });
      if (ctx.format === 'json') printJson(ctx.stdout, result);
      else if (!ctx.quiet) {
        ctx.stdout.write(
          result.upToDate
            ? `Pushed ${result.name}: already up to date (${result.blobs.skipped} blobs already present)\n`
            : `Pushed ${result.name}: ${result.blobs.copied} blobs (${megabytes(result.bytes)}), ${result.blobs.skipped} already present, ${result.blobs.mounted} mounted\n`,
        );
        ctx.stdout.write(`Digest: ${result.descriptor.digest}\n`);
      }
    } finally {
      client.close();
    }
  },
};
