/**
 * Dumps a parse tree in BuildKit's test format, one `(keyword ["--flag"] "arg" ...)` line per
 * instruction (frontend/dockerfile/parser `Node.Dump`), with strings quoted the way Go's
 * `strconv.Quote` does; used by the conformance runner and handy for debugging.
 *
 * @module
 */
import type { ParseNode, ParseTree } from './tree.js';

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** Quotes `text` like Go's strconv.Quote (printable Unicode kept, the rest escaped). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate is not valid UTF-8; Go would see the replacement character's bytes.
      out += '\\ufffd';
      continue;
    }
    if (PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    const named = NAMED_ESCAPES[ch];
    if (named) out += named;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** One instruction as BuildKit dumps it, e.g. `(copy ["--from=a"] "x" "/y")`. */
export function dumpNode(node: ParseNode): string {
  let out = `(${node.keyword.toLowerCase()}`;
  if (node.flags.length > 0) out += ` [${node.flags.map((f) => goQuote(f.text)).join(' ')}]`;
  if (node.keyword.toLowerCase() === 'onbuild') {
    if (node.trigger) out += ` ${dumpNode(node.trigger)}`;
  } else {
    for (const arg of node.args) out += ` ${goQuote(arg)}`;
  }
  return `${out})`;
}

/** The whole tree, one line per instruction, each ending in a newline. */
export function dumpTree(tree: ParseTree): string {
  return tree.nodes.map((n) => `${dumpNode(n)}\n`).join('');
}
