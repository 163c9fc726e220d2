/**
 * `oci-kit index create TAG REF...` and `oci-kit index append INDEX REF... [-t TAG]`: assemble a
 * multi-platform image index from images in the store.
 *
 * @module
 */
import { appendToIndex, createImageIndex } from '../../archive/index.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, listOption, stringOption, type Command } from '../command.js';
import { keyValues, REMOTE_HELP, REMOTE_OPTION, runSurgery } from './mutate.js';

export const indexCommand: Command = {
  name: 'index',
  summary: 'Create or extend a multi-platform image index',
  usage: 'index create TAG REF... | index append INDEX REF... [-t TAG] [--remote]',
  description: 'Each image enters the index with the platform its config declares; appending an image for a platform already present replaces it.',
  options: { tag: { type: 'string', short: 't' }, annotation: { type: 'string', multiple: true, short: 'a' }, ...REMOTE_OPTION },
  optionHelp: { remote: REMOTE_HELP, tag: "append: tag for the result (default: INDEX's tag)", annotation: 'index annotation KEY=VALUE' },
  async run(ctx) {
    const [action, target, ...refs] = ctx.args;
    const annotations = listOption(ctx.options, 'annotation').length ? keyValues(listOption(ctx.options, 'annotation'), 'annotation') : undefined;
    if (action === 'create') {
      if (!target || refs.length === 0) throw new UsageError('index create needs a TAG and at least one image');
      const store = await OciLayout.open(ctx.storePath, { create: ctx.options.remote === true });
      await runSurgery(ctx, store, refs, () => createImageIndex(store, refs, { tag: target, ...(annotations ? { annotations } : {}) }), 'all');
      return;
    }
    if (action === 'append') {
      if (!target || refs.length === 0) throw new UsageError('index append needs an INDEX and at least one image');
      const tag = stringOption(ctx.options, 'tag');
      const store = await OciLayout.open(ctx.storePath, { create: ctx.options.remote === true });
      await runSurgery(ctx, store, [target, ...refs], () => appendToIndex(store, target, refs, { ...(tag ? { tag } : {}), ...(annotations ? { annotations } : {}) }), 'all');
      return;
    }
    throw new UsageError(`index takes "create" or "append", not ${action === undefined ? 'nothing' : `"${action}"`}`);
  },
};
