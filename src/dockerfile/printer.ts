/**
 * Dockerfile printers. `printDockerfile` writes the AST back exactly as it was read (BOM, CRLF,
 * comments, continuations, heredoc bodies), so tools can edit one instruction and keep the rest
 * byte for byte; an instruction whose `raw` was cleared is written in normalised form.
 * `formatDockerfile` normalises: upper-case keywords, one line per instruction, single spaces.
 *
 * @module
 */
import type { Instruction } from './instructions.js';
import type { Dockerfile } from './parse.js';
import type { ParseTree } from './tree.js';

/**
 * Writes the AST (or the low-level parse tree) back as Dockerfile text; `print(parse(x)) === x`
 * for any x that parses. Typed instructions whose `raw` is `''` are written in normalised form.
 */
export function printDockerfile(ast: Dockerfile | ParseTree): string {
  let out = ast.bom ? '\ufeff' : '';
  if (!('instructions' in ast)) {
    for (const node of ast.nodes) out += node.leading + node.raw;
    return out + ast.trailing;
  }
  const eol = ast.source.includes('\r\n') ? '\r\n' : '\n';
  for (const instruction of ast.instructions) {
    out += instruction.leading;
    out += instruction.raw !== '' ? instruction.raw : formatInstruction(instruction, eol) + eol;
  }
  return out + ast.trailing;
}

/** Options of {@link formatDockerfile}. */
export interface FormatOptions {
  /** Line ending (default: the file's own, `\n` when it has none). */
  eol?: '\n' | '\r\n';
}

/**
 * Normalised text: directives, then each instruction on one line (continuations joined) with
 * its comments above it, keywords upper-cased, single spaces between words, heredoc bodies kept.
 * Blank lines separate stages.
 */
export function formatDockerfile(dockerfile: Dockerfile, options: FormatOptions = {}): string {
  const eol = options.eol ?? (dockerfile.source.includes('\r\n') ? '\r\n' : '\n');
  const lines: string[] = [];
  for (const d of dockerfile.directives) lines.push(`# ${d.name}=${d.value}`);
  if (dockerfile.directives.length > 0) lines.push('');
  dockerfile.instructions.forEach((instruction, i) => {
    if (instruction.kind === 'FROM' && i > 0 && lines[lines.length - 1] !== '') lines.push('');
    for (const comment of instruction.comments) lines.push(comment === '' ? '#' : `# ${comment}`);
    lines.push(formatInstruction(instruction, eol));
  });
  return lines.join(eol) + eol;
}

/** One instruction in normalised form (heredoc bodies follow on their own lines). */
export function formatInstruction(instruction: Instruction, eol = '\n'): string {
  const node = instruction.node;
  const keyword = instruction.kind;
  const flags = node.flags.map((f) => quoteFlag(f.text));
  let body: string;
  if (instruction.kind === 'ONBUILD') {
    const trigger = formatInstruction(instruction.trigger, eol);
    body = trigger;
  } else {
    body = collapse(node.rest);
  }
  let line = [keyword, ...flags, body].filter((p) => p !== '').join(' ');
  const heredocs = instruction.kind === 'ONBUILD' ? instruction.node.heredocs : node.heredocs;
  for (const heredoc of heredocs) {
    line += eol + heredoc.content.replace(/\r?\n/g, eol);
    if (heredoc.content !== '' && !heredoc.content.endsWith('\n')) line += eol;
    line += heredoc.name;
  }
  return line;
}

/** Collapses runs of blanks outside quotes to one space (inside quotes text is kept). */
function collapse(text: string): string {
  let out = '';
  let quote = '';
  let pendingSpace = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === '' && (ch === ' ' || ch === '\t')) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
    }
    if (ch === '\\' && i + 1 < text.length && quote !== "'") {
      out += ch + text[++i];
      continue;
    }
    if (quote === '' && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = '';
    out += ch;
  }
  return out;
}

/** Flag words must start with `--`, so only the value part is quoted when it needs to be. */
function quoteFlag(text: string): string {
  if (!/[\s"'\\]/.test(text)) return text;
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  const value = eq < 0 ? '' : text.slice(eq + 1);
  return `${name}="${value.replace(/(["\\])/g, '\\$1')}"`;
}
