/**
 * `oci-kit/dockerfile`: parse Dockerfiles into a typed AST with source ranges, expand shell
 * words like BuildKit, print them back byte for byte or normalised, and lint them. Strings in,
 * data out: no I/O, so it also runs in a browser.
 *
 * @module
 */
export { DockerfileParseError, ExpansionError, type Position, type Range } from './errors.js';
export {
  parseTree,
  parseWords,
  parseHeredocWord,
  type Heredoc,
  type ParseNode,
  type ParseOptions,
  type ParserDirective,
  type ParseTree,
  type ParseWarning,
  type RawFlag,
} from './tree.js';
export { dumpNode, dumpTree, goQuote } from './dump.js';
export {
  expandWord,
  expandWords,
  isGoSpace,
  ShellLexer,
  type ExpandOptions,
  type ExpandResult,
  type ShellEnv,
  type UnsetPolicy,
} from './shell-lexer.js';
export { compileGlob, globMatches, type GlobPattern } from './glob.js';
export { parseGoDuration, formatGoDuration } from './duration.js';
export { parseMount, splitCsv, type RunMount } from './mount.js';
export {
  INSTRUCTION_KINDS,
  chompHeredoc,
  type AddInstruction,
  type ArgInstruction,
  type CmdInstruction,
  type CommandLine,
  type CopyInstruction,
  type EntrypointInstruction,
  type EnvInstruction,
  type ExposeInstruction,
  type Flag,
  type FromInstruction,
  type HealthcheckInstruction,
  type Instruction,
  type InstructionBase,
  type InstructionKind,
  type KeyValue,
  type LabelInstruction,
  type MaintainerInstruction,
  type OnbuildInstruction,
  type PortSpec,
  type RunInstruction,
  type ShellInstruction,
  type SourceContent,
  type StopsignalInstruction,
  type UserInstruction,
  type VolumeInstruction,
  type WorkdirInstruction,
} from './instructions.js';
export { parseDockerfile, splitStages, type Comment, type Dockerfile, type Stage, type Stages } from './parse.js';
export { printDockerfile, formatDockerfile, formatInstruction, type FormatOptions } from './printer.js';
export {
  lint,
  lintRuleUrl,
  parseCheckDirective,
  LINT_RULES,
  type CheckDirective,
  type LintFinding,
  type LintOptions,
} from './lint.js';
