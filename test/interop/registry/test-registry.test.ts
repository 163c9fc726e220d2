// skopeo copies to and from oci-kit's in-process TestRegistry (memory and layout backed, with Basic
// and Bearer auth), keeping digests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { TestRegistry, type TestRegistryAuth } from '../../../src/testing/index.js';
import { copy } from '../../../src/registry/copy.js';
import { OciLayout } from '../../../src/store/layout.js';
import { digestOf } from '../../../src/digest/hasher.js';
import { makeFixtureImage } from './image-fixture.js';

const skopeo = requireTool('skopeo', 'skopeo');
const run = promisify(execFile);
// The registry runs in this process, so skopeo must run asynchronously.
async function skopeoRun(args: string[]): Promise<string> {
  return (await run(skopeo, ['--insecure-policy', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;
}

const cases: { label: string; auth?: TestRegistryAuth; creds?: string[]; layout?: boolean }[] = [
  { label: 'memory, anonymous' },
  { label: 'layout, Basic auth', auth: { type: 'basic', users: { sk: 'opeo' } }, creds: ['sk:opeo'], layout: true },
  { label: 'memory, Bearer auth', auth: { type: 'bearer', users: { sk: 'opeo' } }, creds: ['sk:opeo'] },
];

for (const c of cases) {
  test(`skopeo copy to and from the TestRegistry (${c.label})`, async (t) => {
    const dir = await tempDir(t);
    const registry = await TestRegistry.start({
      ...(c.auth ? { auth: c.auth } : {}),
      ...(c.layout ? { store: await OciLayout.open(join(dir, 'registry-store'), { create: true }) } : {}),
    });
    t.after(() => registry.close());
    const image = await makeFixtureImage('fixture');
    const source = join(dir, 'source');
    await copy({ type: 'store', store: image.store, name: 'fixture' }, { type: 'store', store: await OciLayout.open(source, { create: true }), name: 'latest' });
    const ref = `docker://${registry.host}/skopeo/app:1`;
    const destCreds = c.creds ? ['--dest-creds', c.creds[0]!] : [];
    const srcCreds = c.creds ? ['--src-creds', c.creds[0]!] : [];
    await skopeoRun(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', ...destCreds, `oci:${source}:latest`, ref]);
    assert.equal(registry.tagDigest('skopeo/app', '1'), image.root.digest);
    const raw = await skopeoRun(['inspect', '--tls-verify=false', ...(c.creds ? ['--creds', c.creds[0]!] : []), '--raw', ref]);
    assert.equal(digestOf(raw), image.root.digest);
    const back = join(dir, 'back');
    await skopeoRun(['copy', '--all', '--preserve-digests', '--src-tls-verify=false', ...srcCreds, ref, `oci:${back}:latest`]);
    const index = JSON.parse(await readFile(join(back, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]!.digest, image.root.digest);
    const tags = JSON.parse(await skopeoRun(['list-tags', '--tls-verify=false', ...(c.creds ? ['--creds', c.creds[0]!] : []), ref.replace(/:1$/, '')])) as { Tags: string[] };
    assert.deepEqual(tags.Tags, ['1']);
  });
}
