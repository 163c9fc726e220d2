// Fuzzes the parser, the typed stage, the printer, the linter and the expander with random and
// mutated inputs from a fixed seed: every failure must be a typed OciKitError, and every input that
// parses must print back unchanged. Input sizes are bounded so a run stays fast and cannot hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OciKitError } from '../../../src/errors.js';
import { parseTree } from '../../../src/dockerfile/tree.js';
import { parseDockerfile } from '../../../src/dockerfile/parse.js';
import { printDockerfile, formatDockerfile } from '../../../src/dockerfile/printer.js';
import { lint } from '../../../src/dockerfile/lint.js';
import { expandWord, expandWords } from '../../../src/dockerfile/shell-lexer.js';

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['\\', '`', '$', '{', '}', ':', '-', '+', '?', '#', '%', '/', '*', '[', ']', '!', '"', "'", ' ', '\t', '\n', '\r\n', '<<', '<<-', 'EOF', '=', ',', 'a', 'Z', '0', '9', '\u00a0', '한', '😀', '\ufeff', '[', '"x"', 'RUN ', 'FROM ', 'COPY ', 'ENV ', 'ARG ', 'ONBUILD ', 'HEALTHCHECK ', '--', '--from=', '--mount=', 'type=cache,target=/', 'CMD ', 'EXPOSE ', '# escape=`\n', '# check=error=true\n'];

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const conformance = resolve(repoRoot, '..', 'shared', 'conformance', 'buildkit', 'frontend', 'dockerfile', 'parser', 'testfiles');

function seeds(): string[] {
  assert.ok(existsSync(conformance), `conformance data NOT FOUND at ${conformance}`);
  return readdirSync(conformance).map((name) => readFileSync(join(conformance, name, 'Dockerfile'), 'utf8'));
}

function randomText(next: () => number, maxPieces: number): string {
  let out = '';
  const n = Math.floor(next() * maxPieces);
  for (let i = 0; i < n; i++) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return out;
}

function mutate(next: () => number, text: string): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const choice = next();
    if (choice < 0.4) out = out.slice(0, at) + randomText(next, 4) + out.slice(at);
    else if (choice < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 8));
    else out = out.slice(0, at) + out.slice(Math.floor(next() * out.length)).slice(0, 40) + out.slice(at);
  }
  return out.slice(0, 4000);
}

function onlyTyped(fn: () => void, input: string): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof OciKitError)) {
      assert.fail(`untyped error ${String((err as Error)?.stack ?? err)} for input ${JSON.stringify(input)}`);
    }
  }
}

test('parser, typed stage, printer and linter: only typed errors, exact round trip', () => {
  const next = rng(0x5eed);
  const corpus = seeds();
  let parsed = 0;
  for (let i = 0; i < 1500; i++) {
    const input = i % 2 === 0 ? randomText(next, 60) : mutate(next, corpus[Math.floor(next() * corpus.length)]!);
    onlyTyped(() => {
      const tree = parseTree(input);
      assert.equal(printDockerfile(tree), input);
      parsed++;
    }, input);
    onlyTyped(() => {
      const df = parseDockerfile(input);
      assert.equal(printDockerfile(df), input);
      formatDockerfile(df);
      lint(df);
    }, input);
  }
  assert.ok(parsed > 300, `only ${parsed} inputs parsed: the fuzzer is not reaching the parser`);
});

test('expander: only typed errors on random words', () => {
  const next = rng(0xc0ffee);
  const env = { A: 'x y', B: '', C: '*.?' };
  for (let i = 0; i < 3000; i++) {
    const word = randomText(next, 24);
    for (const options of [{}, { escape: '`' }, { onUnset: 'keep' as const }, { rawQuotes: true, rawEscapes: true }]) {
      onlyTyped(() => {
        const r = expandWord(word, env, options);
        assert.equal(typeof r.value, 'string');
        expandWords(word, env, options);
      }, word);
    }
  }
});
