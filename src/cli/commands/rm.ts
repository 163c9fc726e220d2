/**
 * `oci-kit rm REF...`: removes tags from the store, like `docker rmi` without deleting content (that
 * is what `oci-kit prune` does once nothing refers to it).
 *
 * @module
 */
import { familiarTag, normalizeName } from '../../store/catalog.js';
import { TagNotFoundError } from '../../store/errors.js';
import { openStoreForReading } from '../../store/open.js';
import { UsageError, type Command } from '../command.js';

export const rmCommand: Command = {
  name: 'rm',
  aliases: ['rmi'],
  summary: 'Remove image names (untag); run prune to free the space',
  usage: 'rm REF...',
  async run(ctx) {
    if (ctx.args.length === 0) throw new UsageError('rm needs at least one image name');
    const store = await openStoreForReading(ctx.storePath);
    const missing: string[] = [];
    for (const input of ctx.args) {
      let name: string | undefined;
      try {
        name = normalizeName(input);
      } catch {
        name = undefined;
      }
      // A name as stored (skopeo writes bare tags like "v1") also works.
      let removed: string | undefined;
      if (name !== undefined && (await store.removeTag(name))) removed = name;
      else if (name !== input && (await store.removeTag(input))) removed = input;
      if (removed === undefined) missing.push(input);
      else if (!ctx.quiet) ctx.stdout.write(`Untagged: ${familiarTag(removed)}\n`);
    }
    if (missing.length === 1 && ctx.args.length === 1) throw new TagNotFoundError(missing[0]!, ctx.storePath);
    for (const input of missing) ctx.stderr.write(`oci-kit: error: no image named ${input} in ${ctx.storePath}\n`);
    return missing.length ? 1 : 0;
  },
};
