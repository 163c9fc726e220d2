// Two processes tag into one layout at once while a reader polls index.json: no tag may be lost
// and index.json must parse every time it is read (issue 2 acceptance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OciLayout } from '../../../src/store/layout.js';
import { tempDir } from '../../helpers/tmp.js';

const WORKER = fileURLToPath(new URL('./fixtures/tag-worker.ts', import.meta.url));
const PER_WORKER = 50;

function runWorker(dir: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dir, name, String(PER_WORKER)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${name} exited ${code}: ${stderr}`))));
  });
}

test('two processes tagging 50 images each lose no tag and index.json is always valid JSON', async (t) => {
  // Both workers also race to create the layout, which does not exist yet.
  const dir = join(await tempDir(t), 'store');
  let done = false;
  let reads = 0;
  const reader = (async () => {
    while (!done) {
      let text: string | undefined;
      try {
        text = await readFile(join(dir, 'index.json'), 'utf8');
      } catch (err) {
        // Before the layout exists there is nothing to read; once it exists, index.json never disappears.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || reads > 0) throw err;
      }
      if (text !== undefined) {
        const index = JSON.parse(text) as { manifests: unknown[] };
        assert.ok(Array.isArray(index.manifests));
        reads++;
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  try {
    await Promise.all([runWorker(dir, 'alpha'), runWorker(dir, 'beta')]);
  } finally {
    done = true;
    await reader;
  }
  const layout = await OciLayout.open(dir);
  const names = (await layout.listTags()).map((tag) => tag.name).sort();
  const expected = ['alpha', 'beta'].flatMap((w) => Array.from({ length: PER_WORKER }, (_, i) => `docker.io/library/${w}:${i}`)).sort();
  assert.deepEqual(names, expected);
  assert.ok(reads > 0);
  for (const tag of await layout.listTags()) assert.equal(await layout.has(tag.descriptor.digest), true);
});
