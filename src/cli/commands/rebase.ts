/**
 * `oci-kit rebase REF --new-base NEW [--old-base OLD] [-t TAG]`: moves an image onto another base,
 * like `crane rebase`; the old base comes from the image's base annotations unless given.
 *
 * @module
 */
import { rebaseImage } from '../../archive/index.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, stringOption, type Command } from '../command.js';
import { REMOTE_HELP, REMOTE_OPTION, runSurgery } from './mutate.js';

export const rebaseCommand: Command = {
  name: 'rebase',
  summary: 'Move an image onto a new base image without rebuilding',
  usage: 'rebase REF --new-base NEW [--old-base OLD] [-t TAG] [--platform P] [--remote]',
  options: {
    'new-base': { type: 'string' },
    'old-base': { type: 'string' },
    tag: { type: 'string', short: 't' },
    platform: { type: 'string' },
    ...REMOTE_OPTION,
  },
  optionHelp: {
    remote: REMOTE_HELP,
    'new-base': 'the base to move onto',
    'old-base': 'the current base (default: from the org.opencontainers.image.base.* annotations)',
    tag: "tag for the result (default: REF's tag)",
    platform: 'platform to pick from multi-platform images',
  },
  async run(ctx) {
    const [ref, ...extra] = ctx.args;
    if (!ref || extra.length) throw new UsageError('rebase takes exactly one image reference');
    const newBase = stringOption(ctx.options, 'new-base');
    if (!newBase) throw new UsageError('rebase needs --new-base');
    const oldBase = stringOption(ctx.options, 'old-base');
    const tag = stringOption(ctx.options, 'tag');
    const platform = stringOption(ctx.options, 'platform');
    const store = await OciLayout.open(ctx.storePath, { create: ctx.options.remote === true });
    await runSurgery(ctx, store, [ref, newBase, ...(oldBase ? [oldBase] : [])], () => rebaseImage(store, ref, { newBase, ...(oldBase ? { oldBase } : {}), ...(tag ? { tag } : {}), ...(platform ? { platform } : {}) }), platform);
  },
};
