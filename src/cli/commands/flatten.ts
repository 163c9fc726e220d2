/**
 * `oci-kit flatten REF [-t TAG]`: squashes an image's layers into one, like `crane flatten`.
 *
 * @module
 */
import { flattenImage } from '../../archive/index.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, stringOption, type Command } from '../command.js';
import { REMOTE_HELP, REMOTE_OPTION, runSurgery } from './mutate.js';

export const flattenCommand: Command = {
  name: 'flatten',
  summary: 'Squash the layers of an image into one',
  usage: 'flatten REF [-t TAG] [--platform P] [--remote]',
  options: { tag: { type: 'string', short: 't' }, platform: { type: 'string' }, ...REMOTE_OPTION },
  optionHelp: { remote: REMOTE_HELP, tag: "tag for the result (default: REF's tag)", platform: 'platform to pick from a multi-platform REF' },
  async run(ctx) {
    const [ref, ...extra] = ctx.args;
    if (!ref || extra.length) throw new UsageError('flatten takes exactly one image reference');
    const tag = stringOption(ctx.options, 'tag');
    const platform = stringOption(ctx.options, 'platform');
    const store = await OciLayout.open(ctx.storePath, { create: ctx.options.remote === true });
    await runSurgery(ctx, store, [ref], () => flattenImage(store, ref, { ...(tag ? { tag } : {}), ...(platform ? { platform } : {}) }), platform);
  },
};
