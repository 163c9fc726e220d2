/**
 * The `oci-kit` command line: global options, dispatch to one command, help, and the error
 * contract (`oci-kit: error: <message>` on stderr, exit 1; exit 2 for usage errors).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { OciKitError } from '../errors.js';
import { UsageError, stringOption, type Command, type CommandContext, type OptionSpec } from './command.js';
import { commands } from './commands/index.js';
import { defaultStorePath } from './store-path.js';

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec = {
  store: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

const GLOBAL_HELP: Record<string, string> = {
  store: 'store directory (default: $OCI_KIT_STORE, $XDG_DATA_HOME/oci-kit/store, ~/.local/share/oci-kit/store)',
  quiet: 'print less',
  format: 'output format: table (default) or json',
  help: 'show help',
};

/** The streams and environment the CLI runs with; tests pass their own. */
export interface CliIo {
  stdout: CommandContext['stdout'];
  stderr: CommandContext['stderr'];
  stdin: CommandContext['stdin'];
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name || c.aliases?.includes(name));
}

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: oci-kit [--store DIR] <command> [options]',
    '',
    'Build, inspect and ship OCI/Docker images with no daemon.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "oci-kit <command> --help" for a command\'s options.',
    '',
  ].join('\n');
}

function optionLine(name: string, spec: OptionSpec[string], help: string | undefined): string {
  const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' VALUE' : ''}`;
  return `  ${flag.padEnd(28)} ${help ?? ''}${spec.multiple ? ' (repeatable)' : ''}`.trimEnd();
}

/** The `--help` text of one command. */
export function commandHelp(command: Command): string {
  const own = Object.entries(command.options ?? {}).map(([n, s]) => optionLine(n, s, command.optionHelp?.[n]));
  const global = Object.entries(GLOBAL_OPTIONS).map(([n, s]) => optionLine(n, s, GLOBAL_HELP[n]));
  const parts = [`Usage: oci-kit ${command.usage}`, '', command.summary];
  if (command.aliases?.length) parts.push(`Aliases: ${command.aliases.join(', ')}`);
  if (command.description) parts.push('', command.description.trimEnd());
  if (own.length) parts.push('', 'Options:', ...own);
  parts.push('', 'Global options:', ...global, '');
  return parts.join('\n');
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  // Global options may stand before the command name: `oci-kit --store DIR images`.
  const leading: string[] = [];
  let index = 0;
  while (index < argv.length && argv[index]!.startsWith('-')) {
    const arg = argv[index]!;
    leading.push(arg);
    index++;
    if ((arg === '--store' || arg === '--format') && index < argv.length) leading.push(argv[index++]!);
  }
  const name = argv[index];
  const rest = argv.slice(index + 1);
  try {
    if (name === undefined || name === 'help') {
      const target = name === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
      io.stdout.write(target ? commandHelp(target) : topHelp());
      return name === undefined && !leading.some((a) => a === '--help' || a === '-h') ? 2 : 0;
    }
    if (name === '--version' || leading.includes('--version')) {
      io.stdout.write('oci-kit\n');
      return 0;
    }
    const command = findCommand(name);
    if (!command) throw new UsageError(`unknown command "${name}"; run "oci-kit --help" for the list`);
    const spec = { ...GLOBAL_OPTIONS, ...command.options };
    const [optionArgs, trailing] = command.optionsAnywhere === false ? splitAtFirstPositional(rest, spec) : [rest, []];
    let parsed;
    try {
      parsed = parseArgs({ args: [...leading, ...optionArgs], options: spec, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    parsed.positionals.push(...trailing);
    const options = parsed.values as CommandContext['options'];
    if (options.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    const controller = new AbortController();
    const signal = io.signal ? AbortSignal.any([io.signal, controller.signal]) : controller.signal;
    const ctx: CommandContext = {
      args: parsed.positionals,
      options,
      storePath: defaultStorePath(io.env, stringOption(options, 'store')),
      quiet: options.quiet === true,
      format: stringOption(options, 'format') ?? 'table',
      stdout: io.stdout,
      stderr: io.stderr,
      stdin: io.stdin,
      env: io.env,
      signal,
    };
    const formats = command.formats ?? ['table', 'json'];
    if (options.format !== undefined && !formats.includes(ctx.format)) {
      throw new UsageError(`--format must be ${formats.map((f) => `"${f}"`).join(' or ')}, not "${ctx.format}"`);
    }
    const code = await command.run(ctx);
    return code ?? 0;
  } catch (err) {
    return reportError(err, io, name ? findCommand(name) : undefined);
  }
}

/** For commands like `run IMAGE CMD...`: options end at the first positional, the rest is passed verbatim. */
function splitAtFirstPositional(args: string[], spec: OptionSpec): [string[], string[]] {
  const takesValue = (arg: string): boolean => {
    if (arg.includes('=')) return false;
    const entry = arg.startsWith('--')
      ? spec[arg.slice(2)]
      : Object.values(spec).find((s) => s.short !== undefined && arg.endsWith(s.short));
    return entry?.type === 'string';
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return [args.slice(0, i), args.slice(i + 1)];
    if (!arg.startsWith('-') || arg === '-') return [args.slice(0, i), args.slice(i)];
    if (takesValue(arg)) i++;
  }
  return [args, []];
}

function reportError(err: unknown, io: CliIo, command: Command | undefined): number {
  if (err instanceof UsageError) {
    io.stderr.write(`oci-kit: error: ${err.message}\n`);
    if (command) io.stderr.write(`Usage: oci-kit ${command.usage}\n`);
    return 2;
  }
  if (err instanceof OciKitError) {
    io.stderr.write(`oci-kit: error: ${err.message}\n`);
    if (err.hint) io.stderr.write(`hint: ${err.hint}\n`);
    if (io.env.OCI_KIT_DEBUG) io.stderr.write(`${err.stack ?? ''}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`oci-kit: error: ${message}\n`);
  if (io.env.OCI_KIT_DEBUG && err instanceof Error) io.stderr.write(`${err.stack ?? ''}\n`);
  return 1;
}
