/**
 * `oci-kit save [-o FILE] [--format docker|oci] REF...`: writes images of the store as one
 * `docker save` archive (default) or OCI archive, to FILE or to stdout when stdout is not a terminal.
 *
 * @module
 */
import { saveArchive } from '../../archive/save.js';
import { ArchiveError } from '../../archive/errors.js';
import { progressLine } from '../../archive/progress.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, stringOption, type Command } from '../command.js';

export const saveCommand: Command = {
  name: 'save',
  summary: 'Save images to a docker save or OCI archive',
  usage: 'save [-o FILE] [--format docker|oci] [--platform P] REF...',
  formats: ['docker', 'oci'],
  description:
    'The docker format is what Docker 25+ writes (an OCI layout plus manifest.json), which every\n' +
    '`docker load` and `skopeo ... docker-archive:` reads. Several images share their blobs.\n' +
    'Without -o the archive goes to stdout, which must not be a terminal.',
  options: {
    output: { type: 'string', short: 'o' },
    platform: { type: 'string' },
  },
  optionHelp: {
    output: 'archive file to write (default: stdout)',
    format: 'archive format: docker (default) or oci',
    platform: 'platform to take from multi-platform images in docker archives (default: the host)',
  },
  async run(ctx) {
    if (ctx.args.length === 0) throw new UsageError('save needs at least one image reference');
    // For save, `--format` is the archive format (as in `docker save --format`), checked by main.
    const format = ctx.format === 'oci' ? 'oci' : 'docker';
    const output = stringOption(ctx.options, 'output');
    if (!output && ctx.stdout.isTTY) {
      throw new ArchiveError('ERR_ARCHIVE_TTY', 'refusing to write an archive to a terminal', { hint: 'use -o FILE or redirect stdout' });
    }
    const platform = stringOption(ctx.options, 'platform');
    const store = await OciLayout.open(ctx.storePath);
    const progress = progressLine(ctx.stderr, 'Saving');
    let result;
    try {
      result = await saveArchive(store, ctx.args, output && output !== '-' ? output : ctx.stdout, {
        format,
        signal: ctx.signal,
        onTotal: (bytes) => progress.total(bytes),
        onProgress: (bytes) => progress.update(bytes),
        ...(platform ? { platform } : {}),
      });
    } finally {
      progress.finish();
    }
    if (output && output !== '-' && !ctx.quiet) {
      ctx.stderr.write(`Saved ${result.images.length} image${result.images.length === 1 ? '' : 's'} (${result.size} bytes) to ${output}\n`);
    }
  },
};
