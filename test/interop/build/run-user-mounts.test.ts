// RUN mounts for a non-root USER when oci-kit runs as root: the mount sources sit in a root-only
// (0700) temp dir, like a build's private bind views or a cache below /root, and the command must
// still read a read-only bind (file and directory) and write a cache dir it owns, under both sandboxes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BwrapExecutor } from '../../../src/build/executor/bwrap.js';
import { UnshareExecutor } from '../../../src/build/executor/unshare.js';
import { createBusyboxImage } from '../../../src/build/executor/busybox-image.js';
import type { Executor } from '../../../src/build/executor/types.js';
import { extractLayers } from '../../../src/layer/extract.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { requireTool } from '../../helpers/tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { capture } from '../../helpers/cli.js';

const NOBODY = 65534;
const store = new MemoryStore();

const sandboxes: [string, () => Executor, string][] = [
  ['bwrap', () => new BwrapExecutor(), 'bubblewrap'],
  ['unshare', () => new UnshareExecutor(), 'util-linux'],
];

for (const [name, make, pkg] of sandboxes) {
  test(`${name}: USER 65534 reads read-only binds and writes a cache whose sources sit in a root-only dir`, async (t) => {
    requireTool('busybox', 'busybox-static');
    requireTool(name, pkg);
    assert.equal(process.getuid?.(), 0, 'this interop test checks the root-host path: run it as root (CI does)');
    const { manifest } = await createBusyboxImage(store);
    const rootDir = await tempDir(t, 'oci-kit-sandbox-');
    chmodSync(rootDir, 0o755);
    const rootfs = join(rootDir, 'rootfs');
    mkdirSync(rootfs);
    await extractLayers(store, manifest.layers, rootfs);

    const hidden = await tempDir(t, 'oci-kit-private-');
    assert.equal(statSync(hidden).mode & 0o777, 0o700, 'mkdtemp gives a root-only dir');
    const data = join(hidden, 'data');
    mkdirSync(data);
    chmodSync(data, 0o777); // writable by anyone: only the read-only mount may stop a write
    writeFileSync(join(data, 'note'), 'from the host\n', { mode: 0o644 });
    const motd = join(hidden, 'motd');
    writeFileSync(motd, 'single file\n', { mode: 0o644 });
    const cache = join(hidden, 'cache');
    mkdirSync(cache);
    chownSync(cache, NOBODY, NOBODY);

    const stdout = capture();
    const stderr = capture();
    const script = [
      'id -u',
      'cat /data/note /motd',
      'echo cached > /cache/out',
      'if touch /data/new 2>/dev/null; then echo data-writable; else echo data-read-only; fi',
    ].join('\n');
    const { exitCode } = await make().run({
      rootfs,
      args: ['/bin/sh', '-c', script],
      env: [],
      cwd: '/',
      network: 'none',
      user: String(NOBODY),
      stdout,
      stderr,
      mounts: [
        { type: 'bind', source: data, target: '/data', readonly: true },
        { type: 'bind', source: motd, target: '/motd', readonly: true },
        { type: 'cache', source: cache, target: '/cache' },
      ],
    });
    assert.equal(exitCode, 0, stderr.text());
    assert.equal(stdout.text(), `${NOBODY}\nfrom the host\nsingle file\ndata-read-only\n`);
    assert.equal(readFileSync(join(cache, 'out'), 'utf8'), 'cached\n');
    assert.equal(statSync(join(cache, 'out')).uid, NOBODY, 'the cache file is owned by the USER on disk');
    assert.ok(!existsSync(join(data, 'new')), 'the read-only bind stayed read-only');
    for (const point of ['data', 'motd', 'cache']) assert.ok(!existsSync(join(rootfs, point)), `mount point /${point} was removed`);
  });
}
