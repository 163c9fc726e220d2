/**
 * `oci-kit append BASE|scratch TARBALL... [-t TAG]`: adds layers from tarballs (plain, gzip or
 * zstd; `-` for stdin) on top of an image, like `crane append`.
 *
 * @module
 */
import { appendLayers, type AppendSource } from '../../archive/index.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, stringOption, type Command } from '../command.js';
import { REMOTE_HELP, REMOTE_OPTION, runSurgery } from './mutate.js';

export const appendCommand: Command = {
  name: 'append',
  summary: 'Add layers from tarballs on top of an image',
  usage: 'append BASE|scratch TARBALL... [-t TAG] [--platform P] [--remote]',
  description: 'Compressed tarballs are stored as they are; plain tars are gzip-compressed. The result replaces BASE\'s tag unless -t is given.',
  options: { tag: { type: 'string', short: 't' }, platform: { type: 'string' }, ...REMOTE_OPTION },
  optionHelp: { remote: REMOTE_HELP, tag: "tag for the result (default: BASE's tag; required with scratch)", platform: 'platform of BASE to pick, or of a scratch image' },
  async run(ctx) {
    const [base, ...tarballs] = ctx.args;
    if (!base || tarballs.length === 0) throw new UsageError('append needs a base image (or scratch) and at least one tarball');
    if (tarballs.filter((t) => t === '-').length > 1) throw new UsageError('only one tarball can come from stdin');
    const tag = stringOption(ctx.options, 'tag');
    if (base === 'scratch' && !tag) throw new UsageError('appending to scratch needs -t TAG');
    const platform = stringOption(ctx.options, 'platform');
    const sources: AppendSource[] = tarballs.map((t) => (t === '-' ? (ctx.stdin as unknown as AsyncIterable<Uint8Array>) : t));
    const store = await OciLayout.open(ctx.storePath, { create: true });
    await runSurgery(ctx, store, [base], () => appendLayers(store, base, sources, { ...(tag ? { tag } : {}), ...(platform ? { platform } : {}) }), platform);
  },
};
