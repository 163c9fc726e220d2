/**
 * The CLI's command contract. Each command lives in its own file under `commands/`, declares its
 * options in `node:util` parseArgs form, and calls the public API; it holds no logic the SDK lacks.
 *
 * @module
 */
import type { ParseArgsConfig } from 'node:util';
import { OciKitError } from '../errors.js';

/** Option declarations, as `node:util` parseArgs takes them. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Values of the parsed options (parseArgs' shape). */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Everything a command gets when it runs. */
export interface CommandContext {
  /** Positional arguments after the command name. */
  args: string[];
  /** Parsed options: the command's own and the global ones. */
  options: OptionValues;
  /** The store directory chosen by `--store`, `$OCI_KIT_STORE`, XDG or the home default. */
  storePath: string;
  quiet: boolean;
  /** `--format` value (`table` when not given). */
  format: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/** One CLI command. */
export interface Command {
  name: string;
  aliases?: string[];
  /** One line for the command list. */
  summary: string;
  /** The usage line(s) after `oci-kit `, e.g. `tag SRC DST`. */
  usage: string;
  /** Longer help text, printed by `--help` below the usage and options. */
  description?: string;
  options?: OptionSpec;
  /** Help text for each option, keyed by option name. */
  optionHelp?: Record<string, string>;
  /**
   * The values `--format` takes for this command (default: `table`, `json`). A command whose
   * `--format` means something else (`save --format docker|oci`) lists its own values.
   */
  formats?: string[];
  /** Whether options may follow positionals (default true); false for commands like `run IMAGE CMD...`. */
  optionsAnywhere?: boolean;
  /** Returns the process exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | void>;
}

/** A mistake in how the command was called: exit code 2 with the usage shown. */
export class UsageError extends OciKitError {
  constructor(message: string) {
    super('ERR_USAGE', message);
  }
}

/** Returns a string option, or undefined. */
export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  if (Array.isArray(value)) return value.length ? String(value[value.length - 1]) : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Returns a repeatable string option as a list. */
export function listOption(options: OptionValues, name: string): string[] {
  const value = options[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** Writes `value` as indented JSON followed by a newline. */
export function printJson(out: NodeJS.WritableStream, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Formats rows as a left-aligned table with a header, like `docker images`. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
