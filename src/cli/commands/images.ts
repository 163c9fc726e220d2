/**
 * `oci-kit images` (alias `ls`): the tagged images of the store, like `docker images`.
 *
 * @module
 */
import { listImages } from '../../store/catalog.js';
import { humanSize, timeAgo } from '../../store/format.js';
import { openStoreForReading } from '../../store/open.js';
import { UsageError, formatTable, printJson, type Command } from '../command.js';

/** `sha256:abcdef...` -> `abcdef123456`, the short form Docker prints. */
export function shortDigest(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}

export const imagesCommand: Command = {
  name: 'images',
  aliases: ['ls'],
  summary: 'List the images in the store',
  usage: 'images [--format json] [--no-trunc]',
  description: 'SIZE is config plus layers as stored (compressed); DIGEST is the tagged manifest or index.',
  options: { 'no-trunc': { type: 'boolean' } },
  optionHelp: { 'no-trunc': 'show full digests' },
  async run(ctx) {
    if (ctx.args.length) throw new UsageError(`images takes no arguments (got "${ctx.args[0]}")`);
    const images = await listImages(await openStoreForReading(ctx.storePath));
    if (ctx.format === 'json') {
      printJson(
        ctx.stdout,
        images.map((i) => ({
          Repository: i.repository,
          Tag: i.tag,
          Name: i.name,
          Digest: i.digest,
          MediaType: i.mediaType,
          Id: i.id ?? null,
          Size: i.size ?? null,
          Created: i.created ?? null,
        })),
      );
      return;
    }
    if (ctx.quiet) {
      for (const i of images) ctx.stdout.write(`${i.name}\n`);
      return;
    }
    const full = ctx.options['no-trunc'] === true;
    const rows = images.map((i) => [
      i.repository,
      i.tag,
      full ? i.digest : shortDigest(i.digest),
      i.size === undefined ? '-' : humanSize(i.size),
      timeAgo(i.created) || (i.size === undefined ? '(incomplete)' : ''),
    ]);
    ctx.stdout.write(formatTable(['REPOSITORY', 'TAG', 'DIGEST', 'SIZE', 'CREATED'], rows));
  },
};
