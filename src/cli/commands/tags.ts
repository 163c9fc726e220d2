/**
 * `oci-kit tags REPO`: lists a repository's tags on its registry.
 *
 * @module
 */
import { parseReference } from '../../reference/reference.js';
import { UsageError, printJson, type Command } from '../command.js';
import { registryClientFor } from './registry.js';

export const tagsCommand: Command = {
  name: 'tags',
  summary: "List a repository's tags on its registry",
  usage: 'tags REPO',
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`tags needs exactly 1 argument (REPO), got ${ctx.args.length}`);
    const ref = parseReference(ctx.args[0]!, { defaultTag: false });
    const client = registryClientFor(ctx);
    try {
      const tags = await client.listTags(ref, { signal: ctx.signal });
      if (ctx.format === 'json') printJson(ctx.stdout, tags);
      else ctx.stdout.write(tags.map((t) => `${t}\n`).join(''));
    } finally {
      client.close();
    }
  },
};
