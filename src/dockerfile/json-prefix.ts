/**
 * Decodes the first JSON value of a string and ignores what follows it, as Go's
 * `json.NewDecoder(r).Decode` does; BuildKit uses exactly that to recognise the exec form
 * (`CMD ["a", "b"] trailing` is exec form). Grammar per RFC 8259; unpaired `\uD800`-style
 * surrogates become U+FFFD like Go's decoder.
 *
 * @module
 */

/** Thrown (internally) when the text is not JSON; callers fall back to the shell form. */
export class JsonSyntaxError extends Error {}

const MAX_DEPTH = 5000;

/** Decodes the JSON value at the start of `text` (after JSON whitespace); returns it and where it ended. */
export function decodeJsonPrefix(text: string): { value: unknown; end: number } {
  const state = { pos: 0 };
  skipWs(text, state);
  const value = parseValue(text, state, 0);
  return { value, end: state.pos };
}

function skipWs(text: string, state: { pos: number }): void {
  for (;;) {
    const c = text.charCodeAt(state.pos);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) state.pos++;
    else return;
  }
}

function fail(at: number, what: string): never {
  throw new JsonSyntaxError(`invalid JSON at offset ${at}: ${what}`);
}

function parseValue(text: string, state: { pos: number }, depth: number): unknown {
  if (depth > MAX_DEPTH) fail(state.pos, 'nested too deeply');
  const c = text[state.pos];
  switch (c) {
    case '"':
      return parseString(text, state);
    case '[': {
      state.pos++;
      const out: unknown[] = [];
      skipWs(text, state);
      if (text[state.pos] === ']') {
        state.pos++;
        return out;
      }
      for (;;) {
        skipWs(text, state);
        out.push(parseValue(text, state, depth + 1));
        skipWs(text, state);
        const sep = text[state.pos++];
        if (sep === ']') return out;
        if (sep !== ',') fail(state.pos - 1, 'expected , or ]');
      }
    }
    case '{': {
      state.pos++;
      const out: Record<string, unknown> = {};
      skipWs(text, state);
      if (text[state.pos] === '}') {
        state.pos++;
        return out;
      }
      for (;;) {
        skipWs(text, state);
        if (text[state.pos] !== '"') fail(state.pos, 'expected a string key');
        const key = parseString(text, state);
        skipWs(text, state);
        if (text[state.pos++] !== ':') fail(state.pos - 1, 'expected :');
        skipWs(text, state);
        out[key] = parseValue(text, state, depth + 1);
        skipWs(text, state);
        const sep = text[state.pos++];
        if (sep === '}') return out;
        if (sep !== ',') fail(state.pos - 1, 'expected , or }');
      }
    }
    case 't':
      return literal(text, state, 'true', true);
    case 'f':
      return literal(text, state, 'false', false);
    case 'n':
      return literal(text, state, 'null', null);
    default: {
      const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(state.pos, state.pos + 400));
      if (!match) fail(state.pos, 'unexpected character');
      state.pos += match[0].length;
      return Number(match[0]);
    }
  }
}

function literal(text: string, state: { pos: number }, word: string, value: unknown): unknown {
  if (!text.startsWith(word, state.pos)) fail(state.pos, `expected ${word}`);
  state.pos += word.length;
  return value;
}

function parseString(text: string, state: { pos: number }): string {
  let out = '';
  let i = state.pos + 1;
  for (;;) {
    if (i >= text.length) fail(i, 'unterminated string');
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      state.pos = i + 1;
      return out;
    }
    if (c < 0x20) fail(i, 'control character in string');
    if (c !== 0x5c) {
      // Copy a run of plain characters at once.
      let j = i + 1;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        if (d === 0x22 || d === 0x5c || d < 0x20) break;
        j++;
      }
      out += text.slice(i, j);
      i = j;
      continue;
    }
    const e = text[i + 1];
    i += 2;
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        const unit = hex4(text, i);
        i += 4;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (text[i] === '\\' && text[i + 1] === 'u') {
            const low = hex4(text, i + 2);
            if (low >= 0xdc00 && low <= 0xdfff) {
              out += String.fromCharCode(unit, low);
              i += 6;
              break;
            }
          }
          out += '\ufffd';
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          out += '\ufffd';
        } else {
          out += String.fromCharCode(unit);
        }
        break;
      }
      default:
        fail(i - 1, 'invalid escape');
    }
  }
}

function hex4(text: string, at: number): number {
  const digits = text.slice(at, at + 4);
  if (!/^[0-9a-fA-F]{4}$/.test(digits)) fail(at, 'invalid \\u escape');
  return parseInt(digits, 16);
}
