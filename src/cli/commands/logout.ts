/**
 * `oci-kit logout HOST`: removes a registry's saved credentials from the Docker config.
 *
 * @module
 */
import { removeLogin } from '../../registry/credentials.js';
import { UsageError, type Command } from '../command.js';

export const logoutCommand: Command = {
  name: 'logout',
  summary: 'Log out of a registry (removes saved credentials)',
  usage: 'logout HOST',
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`logout needs exactly 1 argument (HOST), got ${ctx.args.length}`);
    const removed = await removeLogin(ctx.args[0]!, { env: ctx.env });
    if (!ctx.quiet) ctx.stdout.write(removed ? `Removed login credentials for ${ctx.args[0]}\n` : `Not logged in to ${ctx.args[0]}\n`);
  },
};
