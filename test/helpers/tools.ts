// Finds the external tools the interop suite checks our output with. A missing tool is a loud
// failure, never a skip: `npm run test:interop` must not pass on a machine that cannot run it.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

/** Absolute path of `name` on PATH (also /usr/sbin, /sbin), or undefined. */
export function findTool(name: string): string | undefined {
  try {
    const path = execFileSync('sh', ['-c', `PATH="$PATH:/usr/sbin:/sbin:/usr/bin" command -v ${name}`], { encoding: 'utf8' }).trim();
    return path || undefined;
  } catch {
    return undefined;
  }
}

/** Path of a tool the interop suite needs; fails the test naming the Debian package when it is missing. */
export function requireTool(name: string, debianPackage = name): string {
  const path = findTool(name);
  assert.ok(path, `interop: "${name}" is not installed; run: apt-get install ${debianPackage} (bash .ci/run does)`);
  return path;
}
