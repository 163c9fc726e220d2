/**
 * `oci-kit tag SRC DST`: gives an image in the store another name, like `docker tag`.
 *
 * @module
 */
import { resolveImage } from '../../store/catalog.js';
import { openStoreForWriting } from '../../store/open.js';
import { familiarReference, formatReference, parseReference } from '../../reference/reference.js';
import { UsageError, type Command } from '../command.js';

export const tagCommand: Command = {
  name: 'tag',
  summary: 'Give an image another name',
  usage: 'tag SOURCE TARGET',
  description: 'SOURCE is a name, name@digest or image ID in the store; TARGET is a name with an optional tag (default latest).',
  async run(ctx) {
    if (ctx.args.length !== 2) throw new UsageError(`tag needs exactly 2 arguments (SOURCE TARGET), got ${ctx.args.length}`);
    const [source, target] = ctx.args as [string, string];
    const dst = parseReference(target);
    if (dst.digest) throw new UsageError(`the target "${target}" must not contain a digest: a tag names whatever it points at`);
    const store = await openStoreForWriting(ctx.storePath);
    const { descriptor } = await resolveImage(store, source);
    await store.setTag(formatReference(dst), descriptor);
    if (!ctx.quiet) ctx.stdout.write(`Tagged ${familiarReference(dst)}\n`);
  },
};
