/**
 * `oci-kit lint [-f Dockerfile]`: the `docker build --check` rules that need no image or context,
 * printed as `FILE:LINE:COL Rule - message`; exit 1 when an error-level finding is reported.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { NotFoundError } from '../../errors.js';
import { lint } from '../../dockerfile/lint.js';
import { parseDockerfile } from '../../dockerfile/parse.js';
import { listOption, printJson, stringOption, type Command, type CommandContext } from '../command.js';

async function readInput(ctx: CommandContext, file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`no Dockerfile at ${file}`, { cause: err, hint: 'pass the file with -f PATH, or - to read standard input' });
    }
    throw err;
  }
}

export const lintCommand: Command = {
  name: 'lint',
  summary: 'Check a Dockerfile with the docker build --check rules',
  usage: 'lint [-f Dockerfile] [--skip RULE]... [--error]',
  description:
    'Reads ./Dockerfile (or -f PATH, - for standard input) and prints one line per finding.\n' +
    'The file\'s "# check=skip=...;error=true" directive is honoured. Exit status 1 when a finding\n' +
    'is an error (with --error or check=error=true every finding is), 0 otherwise.',
  options: {
    file: { type: 'string', short: 'f' },
    skip: { type: 'string', multiple: true },
    error: { type: 'boolean' },
  },
  optionHelp: {
    file: 'the Dockerfile (default: ./Dockerfile; - for standard input)',
    skip: 'a rule to skip, or "all"',
    error: 'report every finding as an error',
  },
  async run(ctx) {
    const file = stringOption(ctx.options, 'file') ?? 'Dockerfile';
    const text = await readInput(ctx, file);
    const filename = file === '-' ? '<stdin>' : file;
    const dockerfile = parseDockerfile(text, { filename });
    const skip = listOption(ctx.options, 'skip').flatMap((s) => s.split(','));
    const findings = lint(dockerfile, { skip, error: ctx.options.error === true });
    if (ctx.format === 'json') {
      printJson(ctx.stdout, { file: filename, findings });
    } else {
      for (const f of findings) {
        ctx.stdout.write(`${filename}:${f.range.start.line}:${f.range.start.column} ${f.rule} - ${f.message}\n`);
      }
      if (!ctx.quiet && findings.length > 0) {
        const errors = findings.filter((f) => f.level === 'error').length;
        ctx.stderr.write(`${findings.length} finding${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'})\n`);
      }
    }
    return findings.some((f) => f.level === 'error') ? 1 : 0;
  },
};
