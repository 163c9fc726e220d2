/**
 * `oci-kit catalog HOST`: lists the repositories of a registry (`/v2/_catalog`).
 *
 * @module
 */
import { UsageError, printJson, type Command } from '../command.js';
import { registryClientFor } from './registry.js';

export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'List the repositories of a registry',
  usage: 'catalog HOST',
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`catalog needs exactly 1 argument (HOST), got ${ctx.args.length}`);
    const client = registryClientFor(ctx);
    try {
      const names = await client.catalog(ctx.args[0]!, { signal: ctx.signal });
      if (ctx.format === 'json') printJson(ctx.stdout, names);
      else ctx.stdout.write(names.map((n) => `${n}\n`).join(''));
    } finally {
      client.close();
    }
  },
};
