/**
 * Shell pattern matching for the `${v#p}`, `${v%p}` and `${v/p/r}` substitutions (POSIX XCU 2.13
 * "Pattern Matching Notation": `*`, `?`, `[...]` with `!`/`^` negation and ranges, `\x` literal).
 *
 * Matching simulates the pattern as a small automaton over code points instead of compiling a
 * regular expression, so the cost is bounded by pattern length x text length (no backtracking
 * blow-up on patterns like `*a*a*a*`).
 *
 * @module
 */

type Token =
  | { kind: 'char'; value: string }
  | { kind: 'any' }
  | { kind: 'star' }
  | { kind: 'class'; negated: boolean; items: (string | [string, string])[] };

/** A compiled shell pattern. */
export interface GlobPattern {
  readonly tokens: readonly Token[];
}

/** Compiles a shell pattern; `escape` is the character that makes the next one literal. */
export function compileGlob(pattern: string, escape = '\\'): GlobPattern {
  const cps = Array.from(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (ch === escape && i + 1 < cps.length) {
      tokens.push({ kind: 'char', value: cps[++i]! });
    } else if (ch === '*') {
      // Consecutive stars match the same as one.
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (ch === '?') {
      tokens.push({ kind: 'any' });
    } else if (ch === '[') {
      const parsed = parseClass(cps, i, escape);
      if (parsed) {
        tokens.push(parsed.token);
        i = parsed.end;
      } else {
        tokens.push({ kind: 'char', value: '[' });
      }
    } else {
      tokens.push({ kind: 'char', value: ch });
    }
  }
  return { tokens };
}

function parseClass(cps: string[], open: number, escape: string): { token: Token; end: number } | undefined {
  let i = open + 1;
  let negated = false;
  if (cps[i] === '!' || cps[i] === '^') {
    negated = true;
    i++;
  }
  const items: (string | [string, string])[] = [];
  let first = true;
  for (; i < cps.length; i++) {
    let ch = cps[i]!;
    // A `]` right after the opening bracket is a member, not the end.
    if (ch === ']' && !first) return { token: { kind: 'class', negated, items }, end: i };
    first = false;
    if (ch === escape && i + 1 < cps.length) ch = cps[++i]!;
    if (cps[i + 1] === '-' && i + 2 < cps.length && cps[i + 2] !== ']') {
      let hi = cps[i + 2]!;
      i += 2;
      if (hi === escape && i + 1 < cps.length) hi = cps[++i]!;
      items.push([ch, hi]);
    } else {
      items.push(ch);
    }
  }
  return undefined;
}

function tokenMatches(token: Token, ch: string): boolean {
  switch (token.kind) {
    case 'char':
      return token.value === ch;
    case 'any':
      return true;
    case 'class': {
      const cp = ch.codePointAt(0)!;
      const inside = token.items.some((item) =>
        typeof item === 'string' ? item === ch : cp >= item[0].codePointAt(0)! && cp <= item[1].codePointAt(0)!,
      );
      return inside !== token.negated;
    }
    case 'star':
      return true;
  }
}

/**
 * For a match starting at `start` of `text` (code points), returns a flag per end offset
 * (index `start..text.length`) telling whether `text[start:end]` matches the whole pattern.
 */
function matchEnds(tokens: readonly Token[], text: readonly string[], start: number): boolean[] {
  const n = tokens.length;
  let states = new Uint8Array(n + 1);
  const close = (set: Uint8Array): void => {
    // A star may match nothing: being before it also means being after it.
    for (let t = 0; t < n; t++) if (set[t] && tokens[t]!.kind === 'star') set[t + 1] = 1;
  };
  states[0] = 1;
  close(states);
  const ends: boolean[] = [states[n] === 1];
  for (let p = start; p < text.length; p++) {
    const ch = text[p]!;
    const next = new Uint8Array(n + 1);
    let any = false;
    for (let t = 0; t < n; t++) {
      if (!states[t]) continue;
      const token = tokens[t]!;
      if (token.kind === 'star') {
        next[t] = 1;
        any = true;
      } else if (tokenMatches(token, ch)) {
        next[t + 1] = 1;
        any = true;
      }
    }
    close(next);
    states = next;
    ends.push(states[n] === 1);
    if (!any) {
      for (let q = p + 1; q < text.length; q++) ends.push(false);
      break;
    }
  }
  return ends;
}

/** True when the whole of `text` matches. */
export function globMatches(pattern: GlobPattern, text: string): boolean {
  const cps = Array.from(text);
  return matchEnds(pattern.tokens, cps, 0)[cps.length] === true;
}

/** `${v#p}` (shortest) and `${v##p}` (longest): removes a matching prefix. */
export function trimPrefix(pattern: GlobPattern, value: string, longest: boolean): string {
  const cps = Array.from(value);
  const ends = matchEnds(pattern.tokens, cps, 0);
  const end = longest ? ends.lastIndexOf(true) : ends.indexOf(true);
  return end < 0 ? value : cps.slice(end).join('');
}

/** `${v%p}` (shortest) and `${v%%p}` (longest): removes a matching suffix. */
export function trimSuffix(pattern: GlobPattern, value: string, longest: boolean): string {
  // A suffix match is a prefix match of the reversed text against the reversed pattern; every
  // token but the star consumes exactly one character, so reversing the token list is exact.
  const cps = Array.from(value).reverse();
  const ends = matchEnds([...pattern.tokens].reverse(), cps, 0);
  const end = longest ? ends.lastIndexOf(true) : ends.indexOf(true);
  return end < 0 ? value : cps.slice(end).reverse().join('');
}

/** `${v/p/r}` (first match) and `${v//p/r}` (every match): leftmost, longest matches are replaced. */
export function replaceMatches(pattern: GlobPattern, value: string, replacement: string, all: boolean): string {
  const cps = Array.from(value);
  let out = '';
  let p = 0;
  let replaced = false;
  while (p <= cps.length) {
    if (!replaced || all) {
      const ends = matchEnds(pattern.tokens, cps, p);
      const longest = ends.lastIndexOf(true);
      // An empty match would not advance; bash replaces nothing in that case either.
      if (longest > 0) {
        out += replacement;
        p += longest;
        replaced = true;
        continue;
      }
    }
    if (p < cps.length) out += cps[p];
    p++;
  }
  return out;
}
