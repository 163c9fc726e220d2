/**
 * The Dockerfile shell-word lexer: variable substitution, quote removal and word splitting as
 * BuildKit's frontend applies them to ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER,
 * VOLUME, WORKDIR, ARG and ONBUILD (Dockerfile reference, "Environment replacement"). It is not a
 * shell: no command substitution, no globbing of paths, no arithmetic.
 *
 * Supported: `$v`, `${v}`, `${v:-w}` `${v-w}`, `${v:+w}` `${v+w}`, `${v:?m}` `${v?m}`, `${v#p}`
 * `${v##p}`, `${v%p}` `${v%%p}`, `${v/p/r}` `${v//p/r}`; positional (`$1`, `${10}`) and special
 * (`$@ $* $# $? $- $$ $! $0`) parameters are recognised and always unset; single quotes are
 * literal; inside double quotes only the escape character before `"`, `$` or itself escapes.
 *
 * @module
 */
import { ExpansionError } from './errors.js';
import { compileGlob, replaceMatches, trimPrefix, trimSuffix } from './glob.js';

/** Variables to expand against: a map, a plain object, or a lookup function (undefined = unset). */
export type ShellEnv = ReadonlyMap<string, string> | Readonly<Record<string, string>> | ((name: string) => string | undefined);

/** How to treat a reference to an unset variable. */
export type UnsetPolicy =
  /** Expand to the empty string (BuildKit's default). */
  | 'empty'
  /** Leave the reference as written (`$X`, `${X:-y}`); BuildKit does this when scanning heredoc names. */
  | 'keep'
  /** Fail with an ExpansionError (like `set -u`). */
  | 'error';

/** Options of {@link expandWord} and {@link expandWords}. */
export interface ExpandOptions {
  /** The escape character, from the `# escape=` directive: `\` (default) or backtick. */
  escape?: string;
  /** What an unset variable becomes (default `empty`). */
  onUnset?: UnsetPolicy;
  /** Windows semantics: variable names match case-insensitively. */
  caseInsensitive?: boolean;
  /** Keep quote characters in the output (quotes still group, they are just not removed). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
}

/** What an expansion produced. */
export interface ExpandResult {
  /** The expanded word (for expandWords: the words joined by nothing, as BuildKit's single-word result). */
  value: string;
  /** expandWords only: the word split on unquoted whitespace from the source or from unquoted expansions. */
  words: string[];
  /** Names referenced that were set, in first-use order. */
  used: string[];
  /** Names referenced that were unset, in first-use order. */
  unset: string[];
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

/** Letters and digits (Go unicode.IsLetter / IsDigit); ASCII answered without a regex. */
function isNameChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return LETTER.test(ch) || DIGIT.test(ch);
}

function isDigitChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c < 0x80) return c >= 0x30 && c <= 0x39;
  return DIGIT.test(ch);
}

/** Go's unicode.IsSpace, which BuildKit uses for word splitting (differs from JS `\s` on U+0085 and U+FEFF). */
export function isGoSpace(ch: string): boolean {
  return isGoSpaceCode(ch.charCodeAt(0));
}

/** {@link isGoSpace} on a UTF-16 code unit (every space character is in the BMP). */
export function isGoSpaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/** Collects words the way BuildKit does: unquoted whitespace separates, quoted text never does. */
class WordCollector {
  words: string[] = [];
  private word = '';
  private inWord = false;

  addChar(ch: string): void {
    if (isGoSpace(ch)) {
      if (this.inWord && this.word.length > 0) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }

  addRawChar(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  addRawString(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = '';
      this.inWord = false;
    }
    return this.words;
  }
}

function lookupFunction(env: ShellEnv, caseInsensitive: boolean): (name: string) => string | undefined {
  let get: (name: string) => string | undefined;
  if (typeof env === 'function') get = env;
  else if (env instanceof Map) get = (name) => (env as ReadonlyMap<string, string>).get(name);
  else {
    const record = env as Readonly<Record<string, string>>;
    get = (name) => (Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined);
  }
  if (!caseInsensitive) return get;
  const keys = (): Iterable<string> =>
    typeof env === 'function' ? [] : env instanceof Map ? (env as ReadonlyMap<string, string>).keys() : Object.keys(env);
  return (name) => {
    const direct = get(name);
    if (direct !== undefined) return direct;
    const lower = name.toLowerCase();
    for (const key of keys()) if (key.toLowerCase() === lower) return get(key);
    return undefined;
  };
}

/**
 * A reusable lexer bound to an escape character and options; `expandWord`/`expandWords` are
 * one-shot shortcuts over it.
 */
export class ShellLexer {
  readonly escape: string;
  readonly options: Readonly<ExpandOptions>;

  constructor(options: ExpandOptions = {}) {
    const escape = options.escape ?? '\\';
    if (escape !== '\\' && escape !== '`') {
      throw new ExpansionError(`invalid escape character "${escape}"`, '', 'use "\\" or "`"');
    }
    this.escape = escape;
    this.options = options;
  }

  /** Expands one word without splitting it (BuildKit ProcessWord); `words` is left empty. */
  processWord(word: string, env: ShellEnv): ExpandResult {
    return new WordScan(word, lookupFunction(env, this.options.caseInsensitive === true), this.escape, this.options, false).run();
  }

  /** Expands and splits into words (BuildKit ProcessWords). */
  processWords(word: string, env: ShellEnv): ExpandResult {
    return new WordScan(word, lookupFunction(env, this.options.caseInsensitive === true), this.escape, this.options, true).run();
  }
}

/** Expands `word` against `env` (one word, spaces kept). Throws ExpansionError on bad syntax. */
export function expandWord(word: string, env: ShellEnv, options: ExpandOptions = {}): ExpandResult {
  return new ShellLexer(options).processWord(word, env);
}

/** Expands `word` and splits the result into words (`result.words`). Throws ExpansionError on bad syntax. */
export function expandWords(word: string, env: ShellEnv, options: ExpandOptions = {}): ExpandResult {
  return new ShellLexer(options).processWords(word, env);
}

/** One pass over one word. */
class WordScan {
  private readonly text: string;
  private pos = 0;
  private readonly used: string[] = [];
  private readonly unset: string[] = [];
  private readonly seen = new Set<string>();
  private readonly onUnset: UnsetPolicy;
  private readonly rawQuotes: boolean;
  private rawEscapes: boolean;

  constructor(
    private readonly source: string,
    private readonly lookup: (name: string) => string | undefined,
    private readonly escape: string,
    options: ExpandOptions,
    private readonly splitWords: boolean,
  ) {
    this.text = source;
    this.onUnset = options.onUnset ?? 'empty';
    this.rawQuotes = options.rawQuotes === true;
    this.rawEscapes = options.rawEscapes === true;
  }

  run(): ExpandResult {
    const { value, words } = this.until(undefined, this.rawEscapes);
    return { value, words, used: this.used, unset: this.unset };
  }

  /** The character (code point) at the cursor, undefined at the end. */
  private peek(): string | undefined {
    const text = this.text;
    const pos = this.pos;
    if (pos >= text.length) return undefined;
    const c = text.charCodeAt(pos);
    if (c >= 0xd800 && c <= 0xdbff && pos + 1 < text.length) {
      const d = text.charCodeAt(pos + 1);
      if (d >= 0xdc00 && d <= 0xdfff) return text.slice(pos, pos + 2);
    }
    return text[pos];
  }

  private next(): string | undefined {
    const ch = this.peek();
    if (ch !== undefined) this.pos += ch.length;
    return ch;
  }

  private fail(message: string, hint?: string): never {
    throw new ExpansionError(`${message} in "${this.source}"`, this.source, hint);
  }

  private getEnv(name: string): string | undefined {
    const value = this.lookup(name);
    if (!this.seen.has(name)) {
      this.seen.add(name);
      (value === undefined ? this.unset : this.used).push(name);
    }
    if (value === undefined && this.onUnset === 'error') {
      this.fail(`variable "${name}" is not set`, 'declare it with ARG or ENV, or give a default: ${NAME:-default}');
    }
    return value;
  }

  /** Reads up to (and consuming) `stop`, or to the end when `stop` is undefined. */
  private until(stop: string | undefined, rawEscapes: boolean): { value: string; words: string[] } {
    const savedRaw = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    const split = this.splitWords;
    const text = this.text;
    try {
      let result = '';
      const words = new WordCollector();
      for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
        if (stop !== undefined && ch === stop) {
          this.pos++;
          return { value: result, words: split ? words.finish() : [] };
        }
        if (ch === '$') {
          const expanded = this.dollar();
          result += expanded;
          if (split) words.addString(expanded);
        } else if (ch === "'") {
          const quoted = this.singleQuoted();
          result += quoted;
          if (split) words.addRawString(quoted);
        } else if (ch === '"') {
          const quoted = this.doubleQuoted();
          result += quoted;
          if (split) words.addRawString(quoted);
        } else if (ch === this.escape) {
          this.pos += ch.length;
          if (this.rawEscapes) {
            if (split) words.addRawChar(ch);
            result += ch;
          }
          const escaped = this.next();
          // A lone escape character at the end of the word is dropped.
          if (escaped === undefined) break;
          if (split) words.addRawChar(escaped);
          result += escaped;
        } else if (!split) {
          // Copy a run of ordinary characters at once.
          const from = this.pos;
          let to = from + ch.length;
          while (to < text.length) {
            const c = text[to]!;
            if (c === '$' || c === "'" || c === '"' || c === this.escape || c === stop) break;
            to++;
          }
          result += text.slice(from, to);
          this.pos = to;
        } else {
          this.pos += ch.length;
          words.addChar(ch);
          result += ch;
        }
      }
      if (stop !== undefined) this.fail(`unexpected end of statement while looking for matching ${stop}`);
      return { value: result, words: split ? words.finish() : [] };
    } finally {
      this.rawEscapes = savedRaw;
    }
  }

  private singleQuoted(): string {
    // Everything up to the next single quote is literal; a single quote cannot be escaped inside.
    this.pos++;
    const close = this.text.indexOf("'", this.pos);
    if (close < 0) this.fail('unexpected end of statement while looking for matching single-quote');
    const inner = this.text.slice(this.pos, close);
    this.pos = close + 1;
    return this.rawQuotes ? `'${inner}'` : inner;
  }

  private doubleQuoted(): string {
    let result = this.rawQuotes ? '"' : '';
    this.pos++;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) this.fail('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.pos++;
        return this.rawQuotes ? result + ch : result;
      }
      if (ch === '$') {
        result += this.dollar();
        continue;
      }
      this.pos += ch.length;
      if (ch === this.escape) {
        const following = this.peek();
        if (following === undefined) continue;
        if (following === '"' || following === '$' || following === this.escape) {
          if (this.rawEscapes) result += ch;
          result += following;
          this.pos += following.length;
          continue;
        }
      }
      result += ch;
    }
  }

  /** Reads a variable name: letters, digits and `_`; a leading digit run or one special character. */
  private name(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name.length === 0 && isDigitChar(ch)) {
        while (this.peek() !== undefined && isDigitChar(this.peek()!)) name += this.next();
        return name;
      }
      if (name.length === 0 && SPECIAL_PARAMS.has(ch)) {
        this.pos++;
        return ch;
      }
      if (ch !== '_' && !isNameChar(ch)) break;
      name += ch;
      this.pos += ch.length;
    }
    return name;
  }

  private dollar(): string {
    this.pos++; // the `$`
    if (this.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined) return this.onUnset === 'keep' ? `$${name}` : '';
      return value;
    }
    this.pos++; // the `{`
    const first = this.peek();
    if (first === undefined) this.fail("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') this.fail('syntax error: bad substitution');
    const name = this.name();
    if (name === '') this.fail('syntax error: bad substitution');
    const op = this.next();
    if (op === undefined) this.fail("syntax error: missing '}'");
    const keep = (text: string): string => `\${${name}${text}}`;
    switch (op) {
      case '}': {
        const value = this.getEnv(name);
        if (value === undefined) return this.onUnset === 'keep' ? keep('') : '';
        return value;
      }
      case '?': {
        const word = this.operand('}', this.rawEscapes);
        const value = this.getEnv(name);
        if (value === undefined) {
          if (this.onUnset === 'keep') return keep(`?${word}`);
          this.fail(`${name}: ${word || 'is not allowed to be unset'}`);
        }
        return value;
      }
      case ':': {
        const modifier = this.next();
        const word = this.operand('}', this.rawEscapes);
        const value = this.getEnv(name);
        if (value === undefined && this.onUnset === 'keep') return keep(`:${modifier ?? ''}${word}`);
        const current = value ?? '';
        switch (modifier) {
          case '+':
            return current !== '' ? word : current;
          case '-':
            return current === '' ? word : current;
          case '?':
            if (current === '') this.fail(`${name}: ${word || 'is not allowed to be unset'}`);
            return current;
          default:
            this.fail(`unsupported modifier (${modifier ?? 'end of word'}) in substitution`, 'supported: :- :+ :? - + ? # ## % %% / //');
        }
      }
      // falls through (unreachable: fail never returns)
      case '+':
      case '-': {
        const word = this.operand('}', this.rawEscapes);
        const value = this.getEnv(name);
        if (value === undefined && this.onUnset === 'keep') return keep(`${op}${word}`);
        if (op === '+') return value !== undefined ? word : '';
        return value === undefined ? word : value;
      }
      case '#':
      case '%': {
        const longest = this.peek() === op;
        if (longest) this.pos++;
        const pattern = this.operand('}', true);
        const value = this.getEnv(name);
        if (value === undefined && this.onUnset === 'keep') return keep(`${op}${longest ? op : ''}${pattern}`);
        const glob = compileGlob(pattern, this.escape);
        return op === '#' ? trimPrefix(glob, value ?? '', longest) : trimSuffix(glob, value ?? '', longest);
      }
      case '/': {
        const all = this.peek() === '/';
        if (all) this.pos++;
        const pattern = this.operand('/', true, "syntax error: missing '/' in ${}");
        const replacement = this.operand('}', this.rawEscapes);
        const value = this.getEnv(name);
        if (value === undefined && this.onUnset === 'keep') return keep(`/${all ? '/' : ''}${pattern}/${replacement}`);
        return replaceMatches(compileGlob(pattern, this.escape), value ?? '', replacement, all);
      }
      default:
        this.fail(`unsupported modifier (${op}) in substitution`, 'supported: :- :+ :? - + ? # ## % %% / //');
    }
  }

  /** The word after an operator, up to its terminator, with nested expansions. */
  private operand(stop: string, rawEscapes: boolean, missing = "syntax error: missing '}'"): string {
    try {
      return this.until(stop, rawEscapes).value;
    } catch (err) {
      if (err instanceof ExpansionError && this.peek() === undefined && /unexpected end of statement while looking for matching [}/]/.test(err.message)) {
        this.fail(missing);
      }
      throw err;
    }
  }
}
