/**
 * `oci-kit login [-u USER] [--password-stdin] HOST`: checks credentials against a registry and
 * saves them in the Docker config like `docker login` (base64 `auth` in `auths`, or the configured
 * credential store).
 *
 * @module
 */
import { RegistryClient } from '../../registry/client.js';
import { saveLogin } from '../../registry/credentials.js';
import { UsageError, stringOption, type Command } from '../command.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'Log in to a registry (saves credentials in the Docker config)',
  usage: 'login -u USER --password-stdin HOST',
  description: 'The password is read from standard input; it is checked against the registry before it is saved.',
  options: {
    username: { type: 'string', short: 'u' },
    'password-stdin': { type: 'boolean' },
  },
  optionHelp: { username: 'user name', 'password-stdin': 'read the password from standard input' },
  async run(ctx) {
    if (ctx.args.length !== 1) throw new UsageError(`login needs exactly 1 argument (HOST), got ${ctx.args.length}`);
    const host = ctx.args[0]!;
    const username = stringOption(ctx.options, 'username') ?? ctx.env.OCI_KIT_USERNAME;
    if (!username) throw new UsageError('login needs a user name: -u USER');
    if (!ctx.options['password-stdin']) throw new UsageError('login reads the password from standard input: add --password-stdin');
    const password = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
    if (!password) throw new UsageError('no password on standard input');
    const insecure = (ctx.env.OCI_KIT_INSECURE_REGISTRIES ?? '').split(',').filter(Boolean);
    const client = new RegistryClient({ dockerConfig: false, credentials: { [host]: { username, password } }, insecure });
    try {
      await client.checkLogin(host, { signal: ctx.signal });
    } finally {
      client.close();
    }
    await saveLogin(host, { username, password }, { env: ctx.env });
    if (!ctx.quiet) ctx.stdout.write('Login Succeeded\n');
  },
};
