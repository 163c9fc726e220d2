/**
 * `oci-kit registry serve`: runs the in-process test registry (oci-kit/testing) on 127.0.0.1 by
 * default, memory- or layout-backed, optionally behind htpasswd Basic auth, until SIGINT/SIGTERM.
 * Also holds the registry client setup shared by the registry commands.
 *
 * @module
 */
import { OciLayout } from '../../store/layout.js';
import { RegistryClient } from '../../registry/client.js';
import { readHtpasswd } from '../../testing/htpasswd.js';
import { TestRegistry } from '../../testing/test-registry.js';
import { UsageError, stringOption, type Command, type CommandContext } from '../command.js';

/**
 * The registry client for a command: credentials from the Docker config of the command's
 * environment, plain HTTP for the registries listed in `OCI_KIT_INSECURE_REGISTRIES` (comma-separated).
 */
export function registryClientFor(ctx: CommandContext): RegistryClient {
  const insecure = (ctx.env.OCI_KIT_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return new RegistryClient({ dockerConfig: { env: ctx.env }, insecure });
}

/** A size in MB for humans. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export const registryCommand: Command = {
  name: 'registry',
  summary: 'Run a local OCI registry (registry serve)',
  usage: 'registry serve [--store DIR] [--port N] [--host ADDR] [--htpasswd FILE]',
  description:
    'Serves the OCI distribution API on 127.0.0.1 (or --host) until interrupted. Without --store the content lives in memory and is lost on exit; with --store DIR it is kept in an OCI image layout.',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    htpasswd: { type: 'string' },
  },
  optionHelp: {
    port: 'port to listen on (default 5000; 0 picks a free one)',
    host: 'address to listen on (default 127.0.0.1)',
    htpasswd: 'require Basic auth with the users of this htpasswd file (bcrypt entries, as htpasswd -B writes)',
  },
  async run(ctx) {
    if (ctx.args[0] !== 'serve' || ctx.args.length !== 1) throw new UsageError('usage: registry serve [--store DIR] [--port N] [--htpasswd FILE]');
    const portText = stringOption(ctx.options, 'port') ?? '5000';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${portText}"`);
    const storeDir = stringOption(ctx.options, 'store');
    const htpasswd = stringOption(ctx.options, 'htpasswd');
    const registry = await TestRegistry.start({
      host: stringOption(ctx.options, 'host') ?? '127.0.0.1',
      port,
      ...(storeDir ? { store: await OciLayout.open(storeDir, { create: true }) } : {}),
      ...(htpasswd ? { auth: { type: 'basic' as const, users: await readHtpasswd(htpasswd) } } : {}),
    });
    ctx.stdout.write(`oci-kit registry listening on ${registry.url}${storeDir ? ` (store ${storeDir})` : ' (in memory)'}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      ctx.signal.addEventListener('abort', stop, { once: true });
    });
    await registry.close();
    if (!ctx.quiet) ctx.stdout.write('oci-kit registry stopped\n');
  },
};
