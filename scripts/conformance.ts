// `npm run conformance -- <dir>`: runs BuildKit's Dockerfile golden data (parser dumps, negative
// cases, line numbers, the shell lexer's envVarTest and wordsTest) against src/dockerfile and prints
// every failure and a final `N passed, N failed`. Exits non-zero on any failure or a missing folder.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runConformance } from '../test/unit/dockerfile/conformance-cases.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npm run conformance -- <path to conformance/buildkit>');
  process.exit(2);
}
const root = resolve(dir);
if (!existsSync(root)) {
  console.error('');
  console.error('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
  console.error(`!!! conformance data folder NOT FOUND: ${root}`);
  console.error('!!! nothing was checked; this run FAILS');
  console.error('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
  process.exit(3);
}
const cases = runConformance(root);
let passed = 0;
let failed = 0;
for (const c of cases) {
  if (c.ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${c.name}\n${c.detail ?? ''}`.trimEnd());
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
