/**
 * `parseDockerfile`: text to the typed Dockerfile AST (parse tree + typed, validated
 * instructions), and `splitStages` for multi-stage builds (Dockerfile reference, "FROM" and
 * "Understand how ARG and FROM interact").
 *
 * @module
 */
import { DockerfileParseError, type Range } from './errors.js';
import { InstructionBuilder, type ArgInstruction, type FromInstruction, type Instruction } from './instructions.js';
import { parseTree, type ParseOptions, type ParserDirective, type ParseTree, type ParseWarning } from './tree.js';

/** A comment line of the file. */
export interface Comment {
  /** The text after `#`, trimmed. */
  text: string;
  range: Range;
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  filename: string;
  /** The text as given (BOM and line endings included). */
  source: string;
  directives: ParserDirective[];
  /** The escape character in effect. */
  escape: string;
  instructions: Instruction[];
  /** Every top-level comment line (directives excluded). */
  comments: Comment[];
  /** Source text after the last instruction. */
  trailing: string;
  bom: boolean;
  warnings: ParseWarning[];
  /** The low-level parse tree. */
  tree: ParseTree;
}

/** Parses and validates a Dockerfile. Throws DockerfileParseError (code ERR_DOCKERFILE_PARSE). */
export function parseDockerfile(text: string, options: ParseOptions = {}): Dockerfile {
  const filename = options.filename ?? 'Dockerfile';
  const tree = parseTree(text, { filename });
  const builder = new InstructionBuilder(filename);
  const instructions: Instruction[] = [];
  for (const node of tree.nodes) instructions.push(builder.build(node));
  return {
    filename,
    source: text,
    directives: tree.directives,
    escape: tree.escape,
    instructions,
    comments: collectComments(text, tree),
    trailing: tree.trailing,
    bom: tree.bom,
    warnings: tree.warnings,
    tree,
  };
}

function collectComments(text: string, tree: ParseTree): Comment[] {
  const comments: Comment[] = [];
  const directiveLines = new Set<number>();
  for (const d of tree.directives) directiveLines.add(d.range.start.line);
  let line = 1;
  for (const node of tree.nodes) {
    if (node.leading.includes('#')) scanComments(node.leading, line, directiveLines, comments);
    line += count(node.leading) + count(node.raw);
  }
  if (tree.trailing.includes('#')) scanComments(tree.trailing, line, directiveLines, comments);
  return comments;
}

const COMMENT_LINE = /^([\t\v\f\r ]*)#(.*?)\r?$/;

function scanComments(chunk: string, firstLine: number, directiveLines: ReadonlySet<number>, out: Comment[]): void {
  const lines = chunk.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNumber = firstLine + i;
    const m = COMMENT_LINE.exec(line);
    if (!m || directiveLines.has(lineNumber)) continue;
    out.push({
      text: m[2]!.trim(),
      range: { start: { line: lineNumber, column: m[1]!.length + 1 }, end: { line: lineNumber, column: line.replace(/\r$/, '').length + 1 } },
    });
  }
}

function count(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** One build stage. */
export interface Stage {
  /** Position in the file, from 0. */
  index: number;
  /** `AS name` lower-cased (BuildKit compares stage names case-insensitively); undefined when unnamed. */
  name?: string;
  /** The FROM operand as written: an image reference or an earlier stage's name. */
  base: string;
  /** `--platform` as written. */
  platform?: string;
  from: FromInstruction;
  /** The instructions after FROM, up to the next FROM. */
  instructions: Instruction[];
}

/** The stages of a Dockerfile and the global ARGs declared before the first FROM. */
export interface Stages {
  globalArgs: ArgInstruction[];
  stages: Stage[];
}

/** Splits the instructions into stages. Instructions other than ARG before the first FROM are not allowed. */
export function splitStages(dockerfile: Dockerfile): Stages {
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of dockerfile.instructions) {
    if (instruction.kind === 'FROM') {
      const stage: Stage = { index: stages.length, base: instruction.image, from: instruction, instructions: [] };
      if (instruction.stageName !== undefined) stage.name = instruction.stageName.toLowerCase();
      if (instruction.platform !== undefined) stage.platform = instruction.platform;
      stages.push(stage);
    } else if (stages.length === 0) {
      if (instruction.kind !== 'ARG') {
        throw new DockerfileParseError(`no build stage in current context: ${instruction.kind} before the first FROM`, {
          line: instruction.range.start.line,
          column: instruction.range.start.column,
          filename: dockerfile.filename,
          hint: 'only ARG may come before the first FROM',
        });
      }
      globalArgs.push(instruction);
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  if (stages.length === 0) {
    throw new DockerfileParseError('the Dockerfile has no FROM instruction', {
      line: dockerfile.tree.range.start.line,
      filename: dockerfile.filename,
      hint: 'start a build stage with FROM <image>',
    });
  }
  return { globalArgs, stages };
}
