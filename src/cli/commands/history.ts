/**
 * `oci-kit history REF`: the steps that made an image, newest first, like `docker history`.
 *
 * @module
 */
import { imageHistory } from '../../store/catalog.js';
import { humanSize, timeAgo } from '../../store/format.js';
import { openStoreForReading } from '../../store/open.js';
import { UsageError, formatTable, printJson, stringOption, type Command } from '../command.js';
import { shortDigest } from './images.js';

const CREATED_BY_WIDTH = 45;

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export const historyCommand: Command = {
  name: 'history',
  summary: 'Show the history of an image',
  usage: 'history [--no-trunc] [--platform OS/ARCH] REF',
  options: { 'no-trunc': { type: 'boolean' }, platform: { type: 'string' } },
  optionHelp: { 'no-trunc': 'do not shorten IDs and commands', platform: 'which image of a multi-platform index' },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`history needs exactly one image name, got ${ctx.args.length}`);
    const store = await openStoreForReading(ctx.storePath);
    const rows = await imageHistory(store, ctx.args[0]!, { platform: stringOption(ctx.options, 'platform') });
    if (ctx.format === 'json') {
      printJson(
        ctx.stdout,
        rows.map((r) => ({ Id: r.id, Created: r.created ?? null, CreatedBy: r.createdBy, Size: r.size, Comment: r.comment, EmptyLayer: r.emptyLayer })),
      );
      return;
    }
    const full = ctx.options['no-trunc'] === true;
    const table = rows.map((r) => [
      full || r.id === '<missing>' ? r.id : shortDigest(r.id),
      timeAgo(r.created),
      full ? r.createdBy : truncate(r.createdBy.replace(/\s+/g, ' '), CREATED_BY_WIDTH),
      humanSize(r.size),
      r.comment,
    ]);
    ctx.stdout.write(formatTable(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], table));
  },
};
