/**
 * `oci-kit load [-i FILE]`: loads a `docker save` / OCI archive (plain or gzip) from a file or
 * stdin into the store, like `docker load`.
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadArchive } from '../../archive/load.js';
import { NotFoundError } from '../../errors.js';
import { progressLine } from '../../archive/progress.js';
import { familiarReference, parseReference } from '../../reference/index.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, printJson, stringOption, type Command } from '../command.js';

export const loadCommand: Command = {
  name: 'load',
  summary: 'Load images from a docker save or OCI archive',
  usage: 'load [-i FILE] [--repository NAME]',
  description:
    'Reads Docker 25+ and older `docker save` archives, OCI archives (tarred image layouts) and their\n' +
    'gzip-compressed forms, from FILE or stdin. Every blob is verified; nothing is kept when any fails.',
  options: {
    input: { type: 'string', short: 'i' },
    repository: { type: 'string' },
  },
  optionHelp: {
    input: 'archive file to read (default: stdin)',
    repository: 'name for OCI archive images whose ref name is only a tag',
  },
  async run(ctx) {
    if (ctx.args.length) throw new UsageError(`load takes no positional arguments (got "${ctx.args[0]}"); use -i FILE`);
    const input = stringOption(ctx.options, 'input');
    if (!input && ctx.stdin.isTTY) throw new UsageError('refusing to read an archive from a terminal; use -i FILE or pipe one in');
    const store = await OciLayout.open(ctx.storePath, { create: true });
    const repository = stringOption(ctx.options, 'repository');
    const progress = progressLine(ctx.stderr, 'Loading');
    if (input && input !== '-') {
      const info = await stat(input).catch((err: NodeJS.ErrnoException) => {
        throw new NotFoundError(`cannot read the archive ${input}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
      });
      progress.total(info.size);
    }
    const source = input && input !== '-' ? createReadStream(input, { highWaterMark: 1 << 20 }) : (ctx.stdin as unknown as AsyncIterable<Uint8Array>);
    let result;
    try {
      result = await loadArchive(source, store, {
        signal: ctx.signal,
        onProgress: (bytes) => progress.update(bytes),
        ...(repository ? { repository } : {}),
      });
    } finally {
      progress.finish();
    }
    if (ctx.format === 'json') {
      printJson(ctx.stdout, result);
      return;
    }
    for (const image of result.images) {
      if (image.tags.length === 0) {
        ctx.stdout.write(`Loaded image ID: ${image.descriptor.digest}\n`);
        if (!ctx.quiet) ctx.stderr.write(`hint: the image has no name; tag it ("oci-kit tag ${image.descriptor.digest} NAME") before "oci-kit prune", or load with --repository NAME\n`);
      }
      for (const tag of image.tags) ctx.stdout.write(`Loaded image: ${familiarReference(parseReference(tag))}\n`);
    }
  },
};
