/**
 * Errors of the Dockerfile module: a parse error that knows where (file, line, column) and what to
 * do, and an expansion error for shell-word substitution (`${VAR:?msg}`, `${}`, unterminated quotes).
 *
 * @module
 */
import { OciKitError } from '../errors.js';

/** Where something was found in a Dockerfile: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** A span of source: `start` inclusive, `end` exclusive (column just after the last character). */
export interface Range {
  start: Position;
  end: Position;
}

/** A Dockerfile that cannot be parsed or whose instructions are not valid. Code `ERR_DOCKERFILE_PARSE`. */
export class DockerfileParseError extends OciKitError {
  /** 1-based line of the offending instruction or token. */
  readonly line: number;
  /** 1-based column, 1 when only the line is known. */
  readonly column: number;
  /** The file name given to the parser (`Dockerfile` by default). */
  readonly filename: string;
  /** The bare message, without the location prefix. */
  readonly reason: string;

  constructor(reason: string, where: { line: number; column?: number; filename?: string; hint?: string; cause?: unknown }) {
    const filename = where.filename ?? 'Dockerfile';
    const column = where.column ?? 1;
    super('ERR_DOCKERFILE_PARSE', `${filename}:${where.line}:${column}: ${reason}`, {
      ...(where.hint === undefined ? {} : { hint: where.hint }),
      ...(where.cause === undefined ? {} : { cause: where.cause }),
    });
    this.line = where.line;
    this.column = column;
    this.filename = filename;
    this.reason = reason;
  }
}

/** A shell-word substitution that fails (bad syntax, `${VAR:?}` on an unset variable). Code `ERR_DOCKERFILE_EXPAND`. */
export class ExpansionError extends OciKitError {
  /** The word being expanded. */
  readonly word: string;

  constructor(message: string, word: string, hint?: string) {
    super('ERR_DOCKERFILE_EXPAND', message, hint === undefined ? {} : { hint });
    this.word = word;
  }
}
