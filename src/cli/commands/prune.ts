/**
 * `oci-kit prune`: deletes every blob no tag (or untagged index.json entry) reaches, and temporary
 * files of writers that died; prints what it freed.
 *
 * @module
 */
import { collectGarbage } from '../../store/gc.js';
import { humanSize } from '../../store/format.js';
import { openStoreForReading } from '../../store/open.js';
import { OciLayout } from '../../store/layout.js';
import { UsageError, printJson, stringOption, type Command } from '../command.js';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'Delete blobs no image refers to and print what was freed',
  usage: 'prune [--dry-run] [--min-age SECONDS]',
  description:
    'Marks from every index.json entry through indexes, manifests, configs, layers, subjects and referrers,\n' +
    'and deletes the rest. Untag images with "oci-kit rm" first to free their space.\n' +
    'Blobs that a running pull, build or load wrote but has not tagged yet are spared: such a writer\n' +
    'holds a lease (.oci-kit/leases/), and blobs written since the oldest live lease are kept.',
  options: { 'dry-run': { type: 'boolean' }, 'min-age': { type: 'string' } },
  optionHelp: {
    'dry-run': 'only show what would be deleted',
    'min-age': 'also keep unreferenced blobs written less than SECONDS ago',
  },
  async run(ctx) {
    if (ctx.args.length) throw new UsageError(`prune takes no arguments (got "${ctx.args[0]}")`);
    const minAgeText = stringOption(ctx.options, 'min-age');
    const minAge = minAgeText === undefined ? 0 : Number(minAgeText);
    if (!Number.isFinite(minAge) || minAge < 0) throw new UsageError(`--min-age must be a number of seconds, not "${minAgeText}"`);
    const dryRun = ctx.options['dry-run'] === true;
    const store = await openStoreForReading(ctx.storePath);
    if (!(store instanceof OciLayout)) {
      if (ctx.format === 'json') {
        printJson(ctx.stdout, { count: 0, bytes: 0, digests: [], kept: 0, spared: 0, leases: { live: 0, stale: 0 }, temporaryFiles: { count: 0, bytes: 0 } });
      }
      else if (!ctx.quiet) ctx.stdout.write('Nothing to prune: the store is empty\n');
      return;
    }
    const result = await collectGarbage(store, { minAgeMs: minAge * 1000, dryRun });
    if (ctx.format === 'json') {
      printJson(ctx.stdout, { ...result, dryRun });
      return;
    }
    if (ctx.quiet) return;
    const verb = dryRun ? 'Would delete' : 'Deleted';
    for (const digest of result.digests) ctx.stdout.write(`${verb}: ${digest}\n`);
    const temp = result.temporaryFiles.count ? ` and ${result.temporaryFiles.count} temporary file(s)` : '';
    ctx.stdout.write(
      `${dryRun ? 'Would free' : 'Total reclaimed space'}: ${humanSize(result.bytes)} (${result.count} blob(s)${temp}; ${result.kept} kept)\n`,
    );
    if (result.spared > 0) {
      const writers = result.leases.live ? `${result.leases.live} running writer(s)` : '--min-age';
      ctx.stdout.write(`Spared ${result.spared} unreferenced blob(s) written recently (protected by ${writers}); prune again when they finish\n`);
    }
  },
};
