/**
 * The low-level Dockerfile parser: lines, parser directives, comments, line continuations,
 * heredocs and the per-instruction argument shapes, producing BuildKit's parse tree (the one its
 * `testfiles/*\/result` dumps show) before any typed validation. Every node keeps its source
 * range and its exact text, so the file can be printed back byte for byte.
 *
 * Semantics follow the Dockerfile reference ("Parser directives", "Escape", "Here-Documents")
 * and BuildKit's frontend/dockerfile/parser behaviour as pinned by its conformance data.
 *
 * @module
 */
import { DockerfileParseError, type Position, type Range } from './errors.js';
import { decodeJsonPrefix, JsonSyntaxError } from './json-prefix.js';
import { expandWords, isGoSpace, isGoSpaceCode } from './shell-lexer.js';

/** A parser directive from the top of the file (`# syntax=`, `# escape=`, `# check=`). */
export interface ParserDirective {
  /** Lower-cased name. */
  name: 'syntax' | 'escape' | 'check';
  value: string;
  range: Range;
  /** The directive line as written (without its line ending). */
  raw: string;
}

/** A `--name[=value]` word after the keyword, with quotes already removed (BuildKit's flag words). */
export interface RawFlag {
  /** The whole word, e.g. `--from=build`. */
  text: string;
  range: Range;
}

/** A here-document attached to RUN, COPY or ADD (or ONBUILD of one of them). */
export interface Heredoc {
  /** The delimiter word with quotes removed (`EOF`). */
  name: string;
  /** `3<<EOF` redirects file descriptor 3; 0 when no number was written. */
  fileDescriptor: number;
  /** `<<-EOF`: leading tabs are stripped from the body lines and the terminator. */
  chomp: boolean;
  /** False when any part of the delimiter was quoted: the body is then not expanded. */
  expand: boolean;
  /** The body exactly as written, every line with its line ending, without the terminator line. */
  content: string;
  /** From the first body line to the end of the terminator line. */
  range: Range;
}

/** A warning the parser noticed without failing (BuildKit prints them during a build). */
export interface ParseWarning {
  message: string;
  range: Range;
}

/** One instruction of the parse tree. */
export interface ParseNode {
  /** The keyword as written (case kept). */
  keyword: string;
  keywordRange: Range;
  flags: RawFlag[];
  /**
   * The argument nodes (BuildKit's `next` chain): their shape depends on the instruction (JSON
   * elements, whitespace-split words, key/value/separator triples for ENV and LABEL, ...).
   */
  args: string[];
  /** True for the exec (JSON array) form. */
  json: boolean;
  /** ONBUILD's trigger instruction. */
  trigger?: ParseNode;
  heredocs: Heredoc[];
  /** The logical line: continuation lines joined, comments and blank lines inside dropped. */
  original: string;
  /** The argument text after the keyword and flags, trimmed. */
  rest: string;
  /** Comment lines above the instruction (text after `#`, trimmed); an empty `#` line resets them. */
  comments: string[];
  range: Range;
  /** Exact source text of the instruction: its lines (with line endings) and heredoc bodies. */
  raw: string;
  /** Exact source text between the previous instruction and this one (comments, blank lines, directives). */
  leading: string;
}

/** The whole parse tree. */
export interface ParseTree {
  directives: ParserDirective[];
  /** The escape character in effect: `\` or backtick. */
  escape: string;
  nodes: ParseNode[];
  /** Source text after the last instruction. */
  trailing: string;
  /** The file started with a UTF-8 byte order mark (removed before parsing, restored by the printer). */
  bom: boolean;
  warnings: ParseWarning[];
  /** Lines 1..N the instructions span: first line of the first to last line of the last. */
  range: Range;
}

/** Options of the parser. */
export interface ParseOptions {
  /** Name used in error messages and lint output (default `Dockerfile`). */
  filename?: string;
}

const DIRECTIVE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/s;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;
const HEREDOC_INSTRUCTIONS = new Set(['run', 'copy', 'add']);

/** Splits at the separators BuildKit's `reWhitespace` knows (`[\t\v\f\r ]`). */
function isSeparator(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\v' || ch === '\f' || ch === '\r';
}

function leadingSpaceLength(text: string): number {
  let i = 0;
  while (i < text.length && isGoSpace(text[i]!)) i++;
  return i;
}

function trimGoSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text[start]!)) start++;
  while (end > start && isGoSpace(text[end - 1]!)) end--;
  return text.slice(start, end);
}

function trimLineEnding(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\r' || text[end - 1] === '\n')) end--;
  return text.slice(0, end);
}

function isCommentLine(text: string): boolean {
  return text[leadingSpaceLength(text)] === '#';
}

/** Where a continuation line's text starts in the joined logical line, and where it is in the source. */
interface Segment {
  start: number;
  line: number;
  column: number;
}

/**
 * Maps offsets in a joined logical line back to source positions. Tree nodes extend it (one
 * object per instruction instead of two); its state is private, so it adds no visible fields.
 */
class LineMap {
  // Most instructions are one line: the first segment lives in fields, an array only for more.
  readonly #firstLine: number;
  readonly #firstColumn: number;
  readonly #more: Segment[] | undefined;

  constructor(line: number, column: number, more: Segment[] | undefined) {
    this.#firstLine = line;
    this.#firstColumn = column;
    this.#more = more;
  }

  /** The continuation segment holding `offset`, or undefined for the first line. */
  #segment(offset: number): Segment | undefined {
    const more = this.#more;
    if (more === undefined || more.length === 0 || offset < more[0]!.start) return undefined;
    let lo = 0;
    let hi = more.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (more[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return more[lo]!;
  }

  lineAt(offset: number): number {
    return this.#segment(offset)?.line ?? this.#firstLine;
  }

  columnAt(offset: number): number {
    const seg = this.#segment(offset);
    return seg === undefined ? this.#firstColumn + offset : seg.column + offset - seg.start;
  }

  positionAt(offset: number): Position {
    return { line: this.lineAt(offset), column: this.columnAt(offset) };
  }

  /** The range of `[from, to)`; the end column is taken after the last character. */
  rangeOf(from: number, to: number): Range {
    const start = this.positionAt(from);
    if (to <= from) return { start, end: start };
    const last = this.positionAt(to - 1);
    return { start, end: { line: last.line, column: last.column + 1 } };
  }
}

// Shared empty lists: most instructions have no comments, heredocs or (for some kinds) arguments.
const NO_STRINGS: string[] = Object.freeze([]) as unknown as string[];
const NO_HEREDOCS: Heredoc[] = Object.freeze([]) as unknown as Heredoc[];
const NO_FLAGS: RawFlag[] = Object.freeze([]) as unknown as RawFlag[];

/**
 * A list grown by push has room for 17 elements; the parse result keeps thousands of short
 * lists, so the kept copy is trimmed to its length (the grown one dies young, which is cheap).
 */
export function fitted<T>(list: T[]): T[] {
  return list.length === 0 ? [] : list.slice();
}

/**
 * A flag word whose range is made on first use: a Range is three objects, and every one that a
 * large parse result keeps is copied twice by the young-generation GC (measured in
 * bench/dockerfile.bench.ts), while most callers never look at flag positions.
 */
class FlagWord implements RawFlag {
  text: string;
  readonly #map: LineMap;
  readonly #from: number;
  readonly #to: number;
  #range: Range | undefined;

  constructor(text: string, map: LineMap, from: number, to: number) {
    this.text = text;
    this.#map = map;
    this.#from = from;
    this.#to = to;
  }

  get range(): Range {
    return (this.#range ??= this.#map.rangeOf(this.#from, this.#to));
  }

  set range(value: Range) {
    this.#range = value;
  }

  toJSON(): RawFlag {
    return { text: this.text, range: this.range };
  }
}

/**
 * A parse node whose `range` and `keywordRange` are made on first use from offsets kept in
 * private fields (same reason as {@link FlagWord}); once made they are kept, so repeated reads
 * return the same objects, and assigning them works as on a plain object.
 */
class TreeNode extends LineMap implements ParseNode {
  keyword = '';
  flags: RawFlag[] = NO_FLAGS;
  args: string[] = NO_STRINGS;
  json = false;
  declare trigger?: ParseNode;
  heredocs: Heredoc[] = NO_HEREDOCS;
  original: string;
  rest = '';
  comments: string[] = NO_STRINGS;
  raw = '';
  leading = '';
  #keywordFrom = 0;
  #keywordTo = 0;
  /** Where the instruction ends (1-based line, column after the last character). */
  #endLine = 0;
  #endColumn = 0;
  #range: Range | undefined;
  #keywordRange: Range | undefined;

  constructor(original: string, line: number, column: number, more: Segment[] | undefined) {
    super(line, column, more);
    this.original = original;
  }

  /** Sets the keyword's offsets and the offset of the last character in the logical line. */
  locate(keywordFrom: number, keywordTo: number, last: number): void {
    this.#keywordFrom = keywordFrom;
    this.#keywordTo = keywordTo;
    this.#endLine = this.lineAt(last);
    this.#endColumn = this.columnAt(last) + 1;
  }

  get endLine(): number {
    return this.#range === undefined ? this.#endLine : this.#range.end.line;
  }

  /** Moves the end (continuation lines, heredoc terminators) before the range is first read. */
  setEnd(line: number, column: number): void {
    this.#endLine = line;
    this.#endColumn = column;
    this.#range = undefined;
  }

  get keywordRange(): Range {
    return (this.#keywordRange ??= this.rangeOf(this.#keywordFrom, this.#keywordTo));
  }

  set keywordRange(value: Range) {
    this.#keywordRange = value;
  }

  get range(): Range {
    // The instruction range shares its start position object with the keyword range.
    return (this.#range ??= { start: this.keywordRange.start, end: { line: this.#endLine, column: this.#endColumn } });
  }

  set range(value: Range) {
    this.#range = value;
  }

  /** A plain-object view with the lazily made fields included (for JSON output). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      keyword: this.keyword,
      keywordRange: this.keywordRange,
      flags: this.flags,
      args: this.args,
      json: this.json,
    };
    if (this.trigger !== undefined) out['trigger'] = this.trigger;
    out['heredocs'] = this.heredocs;
    out['original'] = this.original;
    out['rest'] = this.rest;
    out['comments'] = this.comments;
    out['range'] = this.range;
    out['raw'] = this.raw;
    out['leading'] = this.leading;
    return out;
  }
}

/** Context shared by the argument parsers. */
interface Context {
  escape: string;
  fail(reason: string, hint?: string): never;
}

const INSTRUCTION_KEYWORDS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];

/** Upper- and lower-case keyword spellings to [the same spelling as a constant, its lower case]. */
const KEYWORD_SPELLINGS = new Map<string, [string, string]>();
for (const upper of INSTRUCTION_KEYWORDS) {
  const lower = upper.toLowerCase();
  KEYWORD_SPELLINGS.set(upper, [upper, lower]);
  KEYWORD_SPELLINGS.set(lower, [lower, lower]);
}

function lowerKeyword(keyword: string): string {
  return KEYWORD_SPELLINGS.get(keyword)?.[1] ?? keyword.toLowerCase();
}

/** Parses the instruction on one logical line (BuildKit newNodeFromLine). */
function parseLogicalLine(line: string, base: number, firstLine: number, firstColumn: number, more: Segment[] | undefined, ctx: Context): TreeNode {
  const node = new TreeNode(line, firstLine, firstColumn, more);
  let start = leadingSpaceLength(line);
  let end = line.length;
  while (end > start && isGoSpace(line[end - 1]!)) end--;
  let kwEnd = start;
  while (kwEnd < end && !isSeparator(line[kwEnd])) kwEnd++;
  const written = line.slice(start, kwEnd);
  // The usual spellings come back as shared constants, so the result keeps no copy per node.
  const known = KEYWORD_SPELLINGS.get(written);
  const keyword = known === undefined ? written : known[0];
  let restStart = kwEnd;
  while (restStart < end && isSeparator(line[restStart])) restStart++;
  node.keyword = keyword;
  node.flags = extractFlags(line, restStart, end, base, node);
  let restOffset = flagsEnd;
  while (restOffset < end && isGoSpace(line[restOffset]!)) restOffset++;
  const rest = line.slice(restOffset, end);
  node.rest = rest;
  node.locate(base + start, base + kwEnd, base + end - 1);
  const lower = known === undefined ? keyword.toLowerCase() : known[1];
  switch (lower) {
    case 'add':
    case 'copy':
    case 'volume':
      parseMaybeJsonToList(node, rest, ctx);
      break;
    case 'arg':
      node.args = parseWords(rest, ctx.escape);
      break;
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell':
      parseMaybeJson(node, rest, ctx);
      break;
    case 'env':
    case 'label':
      node.args = parseNameValue(rest, lower === 'env' ? 'ENV' : 'LABEL', ctx);
      break;
    case 'expose':
    case 'from':
      node.args = splitWhitespace(rest);
      break;
    case 'healthcheck':
      parseHealthcheck(node, rest, ctx);
      break;
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      node.args = rest === '' ? [] : [rest];
      break;
    case 'onbuild':
      if (rest !== '') node.trigger = parseLogicalLine(rest, base + restOffset, firstLine, firstColumn, more, ctx);
      break;
    default:
      // Unknown instructions are kept here (as one empty argument, like BuildKit); the typed
      // stage reports them.
      node.args = [''];
  }
  return node;
}

/** Where the arguments start after the flags {@link extractFlags} took (saves a result object per instruction). */
let flagsEnd = 0;

/**
 * Takes the leading `--flag` words (quotes removed, the escape `\` honoured), stopping at the first
 * word that does not start with `--`; a bare `--` ends the flags and is dropped.
 */
function extractFlags(line: string, from: number, end: number, base: number, map: LineMap): RawFlag[] {
  let flags: RawFlag[] = NO_FLAGS;
  let pos = from;
  for (;;) {
    while (pos < end && isGoSpace(line[pos]!)) pos++;
    if (pos >= end || line[pos] !== '-' || line[pos + 1] !== '-') {
      flagsEnd = pos;
      return flags === NO_FLAGS ? flags : fitted(flags);
    }
    const wordStart = pos;
    // Fast path: a flag without quotes or backslashes is a plain slice.
    let plainEnd = pos;
    while (plainEnd < end) {
      const c = line.charCodeAt(plainEnd);
      if (c === 0x22 || c === 0x27 || c === 0x5c || isGoSpaceCode(c)) break;
      plainEnd++;
    }
    let word: string;
    let blankOk = false;
    if (plainEnd >= end || isGoSpaceCode(line.charCodeAt(plainEnd))) {
      word = line.slice(pos, plainEnd);
      pos = plainEnd;
    } else {
      word = '';
      let quote = '';
      for (; pos < end; pos++) {
        let ch = line[pos]!;
        if (quote === '') {
          if (isGoSpace(ch)) break;
          if (ch === "'" || ch === '"') {
            quote = ch;
            blankOk = true;
            continue;
          }
        } else if (ch === quote) {
          quote = '';
          continue;
        }
        if (ch === '\\') {
          if (pos + 1 >= end) {
            quote = '';
            continue;
          }
          ch = line[++pos]!;
        }
        word += ch;
      }
    }
    if (word === '--') {
      flagsEnd = pos;
      return flags === NO_FLAGS ? flags : fitted(flags);
    }
    if (blankOk || word.length > 0) {
      if (flags === NO_FLAGS) flags = [];
      flags.push(new FlagWord(word, map, base + wordStart, base + pos));
    }
  }
}

/** Splits on BuildKit's whitespace (`[\t\v\f\r ]+`) without interpreting quotes. */
function splitWhitespace(rest: string): string[] {
  if (rest === '') return [];
  return rest.split(/[\t\v\f\r ]+/);
}

/**
 * Splits into words keeping quotes and escapes (they are removed at expansion time); quotes group
 * spaces, the escape character protects the next character.
 */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  const esc = escape.charCodeAt(0);
  const n = rest.length;
  // Quotes and escapes stay in the words, so a word is a plain slice of the input; the only
  // character ever dropped is an escape character at the very end of the text.
  let start = -1;
  let quote = 0;
  let blankOk = false;
  for (let i = 0; i < n; i++) {
    const c = rest.charCodeAt(i);
    if (start < 0) {
      if (isGoSpaceCode(c)) continue;
      start = i;
    }
    if (quote === 0) {
      if (isGoSpaceCode(c)) {
        if (blankOk || i > start) words.push(rest.slice(start, i));
        start = -1;
        blankOk = false;
        continue;
      }
      if (c === 0x27 || c === 0x22) {
        quote = c;
        blankOk = true;
      } else if (c === esc) {
        if (i + 1 === n) return fitted(finishWords(words, rest, start, i, blankOk));
        i++;
      }
      continue;
    }
    if (c === quote) quote = 0;
    else if (c === esc && quote !== 0x27) {
      if (i + 1 === n) return fitted(finishWords(words, rest, start, i, blankOk));
      i++;
    }
  }
  return fitted(start < 0 ? words : finishWords(words, rest, start, n, blankOk));
}

function finishWords(words: string[], rest: string, start: number, end: number, blankOk: boolean): string[] {
  if (blankOk || end > start) words.push(rest.slice(start, end));
  return words;
}

/** ENV and LABEL: `key=value ...` pairs, or the legacy `KEY value` form; triples key, value, `=` or ``. */
function parseNameValue(rest: string, instruction: string, ctx: Context): string[] {
  const words = parseWords(rest, ctx.escape);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    const match = /[\t\v\f\r ]+/.exec(rest);
    if (!match) {
      ctx.fail(`${instruction} must have two arguments`, `write ${instruction} ${rest || 'NAME'}=value`);
    }
    return [rest.slice(0, match.index), rest.slice(match.index + match[0].length), ''];
  }
  const out: string[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      ctx.fail(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`, 'quote values that contain spaces: name="a value"');
    }
    out.push(word.slice(0, eq), word.slice(eq + 1), '=');
  }
  return fitted(out);
}

/** Go's %q for the few messages that quote a word. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}

function isString(item: unknown): item is string {
  return typeof item === 'string';
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x27) n++;
  }
  return n;
}

/** The exec form: a JSON array of strings; anything else is not JSON (returns undefined). */
function parseJson(rest: string, ctx: Context): string[] | undefined {
  const text = rest.slice(leadingSpaceLength(rest));
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = decodeJsonPrefix(text).value;
  } catch (err) {
    if (err instanceof JsonSyntaxError) return undefined;
    throw err;
  }
  const list = value as unknown[];
  if (!list.every(isString)) {
    ctx.fail('dockerfile parse error: JSON array must contain only strings', 'write every element in quotes, e.g. ["sh", "-c", "echo hi"]');
  }
  return list as string[];
}

function parseMaybeJson(node: ParseNode, rest: string, ctx: Context): void {
  if (rest === '') return;
  const list = parseJson(rest, ctx);
  if (list) {
    node.args = list;
    node.json = true;
  } else {
    node.args = [rest];
  }
}

function parseMaybeJsonToList(node: ParseNode, rest: string, ctx: Context): void {
  const list = parseJson(rest, ctx);
  if (list) {
    node.args = list;
    node.json = true;
  } else {
    node.args = splitWhitespace(rest);
  }
}

function parseHealthcheck(node: ParseNode, rest: string, ctx: Context): void {
  let sep = 0;
  while (sep < rest.length && !isGoSpace(rest[sep]!)) sep++;
  if (sep === 0) return;
  let next = sep;
  while (next < rest.length && isGoSpace(rest[next]!)) next++;
  const command = rest.slice(next);
  const list = command === '' ? undefined : parseJson(command, ctx);
  if (list) {
    node.args = [rest.slice(0, sep), ...list];
    node.json = true;
  } else {
    node.args = command === '' ? [rest.slice(0, sep)] : [rest.slice(0, sep), command];
  }
}

/** Heredoc delimiters named on an instruction line (BuildKit heredocsFromLine). */
function heredocsOnLine(line: string): { name: string; fileDescriptor: number; chomp: boolean; expand: boolean }[] {
  let words: string[];
  try {
    words = expandWords(line, {}, { rawQuotes: true, rawEscapes: true }).words;
  } catch {
    return [];
  }
  const out: { name: string; fileDescriptor: number; chomp: boolean; expand: boolean }[] = [];
  for (const word of words) {
    const heredoc = parseHeredocWord(word);
    if (heredoc) out.push(heredoc);
  }
  return out;
}

/**
 * Recognises one `<<EOF` / `<<-EOF` / `3<<"EOF"` word; undefined when it is not a heredoc marker.
 * The delimiter counts as quoted when removing quotes changes it, which turns expansion off.
 */
export function parseHeredocWord(word: string): { name: string; fileDescriptor: number; chomp: boolean; expand: boolean } | undefined {
  const match = HEREDOC_WORD.exec(word);
  if (!match) return undefined;
  const rest = match[3]!;
  if (rest === '') return undefined;
  let plain: string[];
  let raw: string[];
  try {
    plain = expandWords(rest, {}, { onUnset: 'keep' }).words;
    if (plain.length !== 1) return undefined;
    raw = expandWords(rest, {}, { onUnset: 'keep', rawQuotes: true }).words;
  } catch {
    return undefined;
  }
  if (raw.length !== 1) return undefined;
  return {
    name: plain[0]!,
    fileDescriptor: match[1] ? Number.parseInt(match[1], 10) : 0,
    chomp: match[2] === '-',
    expand: countQuotes(plain[0]!) === countQuotes(raw[0]!),
  };
}

/** Parses Dockerfile text into BuildKit's parse tree. Throws DockerfileParseError. */
export function parseTree(source: string, options: ParseOptions = {}): ParseTree {
  const filename = options.filename ?? 'Dockerfile';
  const bom = source.charCodeAt(0) === 0xfeff;
  const text = bom ? source.slice(1) : source;
  // A cursor over the physical lines; no array of lines is kept, so nothing but the result
  // survives the parse (a big array would be promoted to the old generation and slow GC down).
  let cursor = 0;
  let lineCount = 0;
  let lineStart = 0;
  let lineText = '';
  const readLine = (): boolean => {
    if (cursor >= text.length) return false;
    const nl = text.indexOf('\n', cursor);
    const end = nl < 0 ? text.length : nl;
    lineStart = cursor;
    lineText = text.slice(cursor, end);
    cursor = nl < 0 ? text.length : nl + 1;
    lineCount++;
    return true;
  };
  const directives: ParserDirective[] = [];
  let directivesDone = false;
  let escape = '\\';
  let escapeCode = 0x5c;
  const nodes: ParseNode[] = [];
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];
  let leadingStart = 0;
  let errorLine = 1;
  const ctx: Context = {
    get escape() {
      return escape;
    },
    fail(reason: string, hint?: string): never {
      throw new DockerfileParseError(reason, { line: errorLine, filename, ...(hint === undefined ? {} : { hint }) });
    },
  };

  const possibleDirective = (line: string, lineNumber: number, column: number): boolean => {
    if (directivesDone) return false;
    const match = DIRECTIVE.exec(line);
    const name = match?.[1]?.toLowerCase();
    if (!match || name === undefined || !KNOWN_DIRECTIVES.has(name)) {
      directivesDone = true;
      return false;
    }
    const value = match[2]!;
    const range: Range = { start: { line: lineNumber, column }, end: { line: lineNumber, column: column + line.length } };
    if (directives.some((d) => d.name === name)) {
      throw new DockerfileParseError(`only one ${name} parser directive can be used`, { line: lineNumber, column, filename, hint: 'remove the duplicate directive' });
    }
    if (name === 'escape') {
      if (value !== '\\' && value !== '`') {
        throw new DockerfileParseError(`invalid escape token '${value}' does not match \` or \\`, { line: lineNumber, column, filename, hint: 'use # escape=\\ or # escape=`' });
      }
      escape = value;
      escapeCode = value.charCodeAt(0);
    }
    directives.push({ name: name as ParserDirective['name'], value, range, raw: line });
    return true;
  };

  // A line continues when it ends in the escape character (then optional blanks), unless that
  // character is itself escaped (`\\` at the end is a literal backslash).
  // Reports through `continued` rather than a returned pair: this runs for every line.
  let continued = false;
  const trimContinuation = (line: string): string => {
    let end = line.length;
    while (end > 0) {
      const c = line.charCodeAt(end - 1);
      if (c !== 0x20 && c !== 0x09) break;
      end--;
    }
    continued = end > 0 && line.charCodeAt(end - 1) === escapeCode && !(end >= 2 && line.charCodeAt(end - 2) === escapeCode);
    return continued ? line.slice(0, end - 1) : line;
  };

  while (readLine()) {
    const firstStart = lineStart;
    const lineNumber = lineCount;
    const content = trimLineEnding(lineText);
    const indent = leadingSpaceLength(content);
    const stripped = content.slice(indent);
    const isComment = stripped.startsWith('#');
    const isDirective = possibleDirective(stripped, lineNumber, indent + 1);
    if (isComment && !isDirective) {
      const comment = trimGoSpace(stripped.slice(1));
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    const processed = isComment ? '' : stripped;
    let line = trimContinuation(processed);
    let endOfLine = !continued;
    if (endOfLine && line === '') continue;

    let more: Segment[] | undefined;
    let hasEmptyContinuation = false;
    let lastText = content;
    while (!endOfLine && readLine()) {
      const next = trimLineEnding(lineText);
      lastText = next;
      if (isCommentLine(next)) continue;
      if (leadingSpaceLength(next) === next.length) {
        hasEmptyContinuation = true;
        continue;
      }
      const piece = trimContinuation(next);
      (more ??= []).push({ start: line.length, line: lineCount, column: 1 });
      line += piece;
      endOfLine = !continued;
    }
    const endLine = lineCount;
    const lastContinuationText = lastText;
    errorLine = lineNumber;
    const node = parseLogicalLine(line, 0, lineNumber, indent + 1, more === undefined ? undefined : fitted(more), ctx);
    if (comments.length > 0) {
      node.comments = comments;
      comments = [];
    }
    if (hasEmptyContinuation) {
      warnings.push({ message: `Empty continuation line found in: ${line}`, range: node.range });
    }

    const heredocTarget = node.trigger !== undefined && lowerKeyword(node.keyword) === 'onbuild' ? node.trigger : node;
    if (line.includes('<<') && !heredocTarget.json && HEREDOC_INSTRUCTIONS.has(lowerKeyword(heredocTarget.keyword))) {
      for (const marker of heredocsOnLine(line)) {
        const bodyStart = lineCount;
        const bodyOffset = cursor;
        let bodyEnd = cursor;
        let terminated = false;
        while (readLine()) {
          let candidate = trimLineEnding(lineText);
          if (marker.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === marker.name) {
            terminated = true;
            lastText = trimLineEnding(lineText);
            break;
          }
          bodyEnd = cursor;
        }
        const body = text.slice(bodyOffset, bodyEnd);
        if (!terminated) {
          throw new DockerfileParseError(`unterminated heredoc ${marker.name}`, {
            line: lineNumber,
            filename,
            hint: `end the here-document with a line holding only ${marker.name}`,
          });
        }
        if (node.heredocs === NO_HEREDOCS) node.heredocs = [];
        node.heredocs.push({
          name: marker.name,
          fileDescriptor: marker.fileDescriptor,
          chomp: marker.chomp,
          expand: marker.expand,
          content: body,
          range: {
            start: { line: bodyStart + 1, column: 1 },
            end: { line: lineCount, column: lastText.length + 1 },
          },
        });
      }
    }
    node.raw = text.slice(firstStart, cursor);
    node.leading = text.slice(leadingStart, firstStart);
    leadingStart = cursor;
    if (node.heredocs.length > 0) {
      const end = node.heredocs[node.heredocs.length - 1]!.range.end;
      node.setEnd(end.line, end.column);
    } else if (endLine > node.endLine) {
      node.setEnd(endLine, lastContinuationText.length + 1);
    }
    nodes.push(node);
  }

  if (nodes.length === 0) {
    throw new DockerfileParseError('file with no instructions', {
      line: Math.max(lineCount, 1),
      filename,
      hint: 'a Dockerfile needs at least a FROM instruction',
    });
  }
  return {
    directives,
    escape,
    nodes,
    trailing: text.slice(leadingStart),
    bom,
    warnings,
    range: { start: nodes[0]!.range.start, end: nodes[nodes.length - 1]!.range.end },
  };
}
