/**
 * `.dockerignore` files and the path patterns of `COPY --exclude`, matched the way Docker does
 * (moby/patternmatcher, as used by BuildKit's context transfer):
 *
 * - one pattern a line; lines starting with `#` are comments; blank lines are skipped;
 * - a leading `!` makes an exception (re-includes what an earlier pattern excluded);
 * - patterns are cleaned like Go's `filepath.Clean` and a leading `/` is dropped, so every pattern is
 *   relative to the context root;
 * - `*` matches within one path segment, `?` one character other than `/`, `[...]` a class, `\` escapes,
 *   and `**` any number of segments (including none);
 * - a path is excluded when a pattern matches it or any of its parent directories; the last pattern
 *   that matches decides.
 *
 * Docker reads `<Dockerfile>.dockerignore` next to the Dockerfile in preference to the context's
 * `.dockerignore` ({@link readIgnoreFile}).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { posix } from 'node:path';

/** One compiled pattern. */
export interface IgnorePattern {
  /** The cleaned pattern text, without the `!`. */
  text: string;
  /** True for `!pattern`: a match re-includes the path. */
  exception: boolean;
  regexp: RegExp;
}

/** Parses the text of a `.dockerignore` file into its patterns (comments and blanks dropped). */
export function parseIgnoreFile(text: string): string[] {
  const patterns: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    if (rawLine.startsWith('#')) continue;
    let line = rawLine.trim();
    if (line === '') continue;
    let exception = false;
    if (line.startsWith('!')) {
      exception = true;
      line = line.slice(1).trim();
    }
    if (line !== '') {
      line = cleanPath(line);
      if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
    }
    patterns.push(exception ? `!${line}` : line);
  }
  return patterns;
}

/** Go's `path.Clean`: resolves `.` and `..` lexically, collapses slashes, no trailing slash. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

const REGEXP_SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$', '^']);

/** Compiles one pattern (with an optional leading `!`) to a regular expression over `/`-separated paths. */
export function compilePattern(pattern: string): IgnorePattern {
  const exception = pattern.startsWith('!');
  const text = exception ? pattern.slice(1) : pattern;
  let source = '^';
  let inClass = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inClass) {
      if (ch === ']') inClass = false;
      if (ch === '\\' && i + 1 < text.length) {
        source += `\\${text[++i]}`;
        continue;
      }
      source += ch;
      continue;
    }
    if (ch === '*') {
      if (text[i + 1] === '*') {
        i++;
        if (text[i + 1] === '/') i++;
        // `**` at the end accepts everything below; elsewhere it spans any number of whole segments.
        source += i + 1 >= text.length ? '.*' : '(.*/)?';
      } else {
        source += '[^/]*';
      }
    } else if (ch === '?') {
      source += '[^/]';
    } else if (ch === '[') {
      inClass = true;
      source += '[';
      if (text[i + 1] === '^') {
        source += '^';
        i++;
      }
    } else if (ch === '\\') {
      source += i + 1 < text.length ? escapeChar(text[++i]!) : '\\\\';
    } else {
      source += escapeChar(ch);
    }
  }
  source += '$';
  let regexp: RegExp;
  try {
    regexp = new RegExp(source, 's');
  } catch {
    // An unterminated class: Go's matcher reports ErrBadPattern; match nothing rather than crash.
    regexp = /$^/;
  }
  return { text, exception, regexp };
}

function escapeChar(ch: string): string {
  return REGEXP_SPECIAL.has(ch) || ch === '\\' || ch === '[' || ch === ']' || ch === '*' || ch === '?' ? `\\${ch}` : ch;
}

/** A compiled list of patterns that answers "is this context path excluded?". */
export class IgnoreMatcher {
  readonly patterns: IgnorePattern[];
  /** True when some pattern is an exception, so an excluded directory may still hold included files. */
  readonly hasExceptions: boolean;

  constructor(patterns: readonly string[]) {
    this.patterns = patterns.filter((p) => p !== '' && p !== '!').map(compilePattern);
    this.hasExceptions = this.patterns.some((p) => p.exception);
  }

  /** No patterns at all: nothing is ever excluded. */
  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /**
   * True when `path` (relative to the context root, `/`-separated) is excluded: the last pattern that
   * matches the path or one of its parent directories decides.
   */
  excludes(path: string): boolean {
    if (this.patterns.length === 0) return false;
    const clean = cleanPath(path.replace(/^\/+/, ''));
    const parents = clean.split('/');
    let excluded = false;
    for (const pattern of this.patterns) {
      let match = pattern.regexp.test(clean);
      for (let i = 1; !match && i < parents.length; i++) {
        match = pattern.regexp.test(parents.slice(0, i).join('/'));
      }
      if (match) excluded = !pattern.exception;
    }
    return excluded;
  }

  /**
   * Whether a walk must descend into an excluded directory: only when an exception could re-include
   * something below it.
   */
  mayIncludeBelow(dir: string): boolean {
    if (!this.hasExceptions) return false;
    const prefix = `${cleanPath(dir)}/`;
    return this.patterns.some((p) => p.exception && (p.text.startsWith(prefix) || !/^[^*?[\\]*$/.test(p.text) || prefix.startsWith(`${p.text}/`)));
  }
}

/**
 * Reads the ignore patterns of a build: `<Dockerfile>.dockerignore` next to the Dockerfile when it
 * exists, else `<context>/.dockerignore`, else none.
 */
export function readIgnoreFile(contextDir: string, dockerfilePath?: string): string[] {
  const candidates: string[] = [];
  if (dockerfilePath) candidates.push(join(dirname(dockerfilePath), `${basename(dockerfilePath)}.dockerignore`));
  candidates.push(join(contextDir, '.dockerignore'));
  for (const file of candidates) {
    if (existsSync(file)) return parseIgnoreFile(readFileSync(file, 'utf8'));
  }
  return [];
}

/** Path of a context entry in the pattern space: `/`-separated, relative, cleaned. */
export function contextRelative(path: string): string {
  return posix.normalize(path).replace(/^\/+/, '').replace(/\/+$/, '') || '.';
}
