// The cost of one sandboxed command, and of run + commit, against the OCI reference runtime and
// buildah, measured in the same run over the same busybox image (made from busybox-static):
//
// 1. `/bin/true` in a fresh sandbox over an extracted rootfs: bare bwrap (the floor), our
//    BwrapExecutor and UnshareExecutor (setup + teardown included: user lookup, mount points,
//    hosts/resolv.conf), `runc run` (bundle made once), `buildah run --isolation chroot` (working
//    container made once).
// 2. A command that writes a file, committed as a new image: runContainer() (extract, snapshot,
//    run, diff, gzip layer, manifest, tag) against `buildah run` + `buildah commit` on a working
//    container that already exists (so buildah's extraction is not even counted).
//
// Medians of SANDBOX_BENCH_RUNS (default 7). Everything lives in /dev/shm. Run: npm run bench sandbox
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BwrapExecutor } from '../src/build/executor/bwrap.js';
import { UnshareExecutor } from '../src/build/executor/unshare.js';
import { createBusyboxImage } from '../src/build/executor/busybox-image.js';
import { runContainer } from '../src/build/executor/container.js';
import type { Executor } from '../src/build/executor/types.js';
import { extractLayers } from '../src/layer/extract.js';
import { OciLayout } from '../src/store/layout.js';

const RUNS = Number(process.env.SANDBOX_BENCH_RUNS ?? 7);
const SHM = existsSync('/dev/shm') ? '/dev/shm' : '/tmp';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(f: () => Promise<void> | void): Promise<number> {
  await f(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await f();
    times.push(performance.now() - start);
  }
  return median(times);
}

function mustRun(file: string, args: string[]): string {
  const r = spawnSync(file, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench: ${file} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function row(name: string, ms: number, base: number): string {
  return `  ${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / base).toFixed(2)}x`;
}

export async function run(): Promise<void> {
  // lowercase only: buildah names the image it reads after the layout's path
  const work = join(SHM, `oci-kit-sandbox-bench-${process.pid}`);
  mkdirSync(work);
  try {
    const storeDir = join(work, 'store');
    const store = await OciLayout.open(storeDir, { create: true });
    const image = await createBusyboxImage(store);
    const rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    await extractLayers(store, image.manifest.layers, rootfs);

    // runc bundle: the reference runtime's default spec, pointed at the same rootfs.
    const bundle = join(work, 'bundle');
    mkdirSync(bundle);
    mustRun('runc', ['spec', '--bundle', bundle]);
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as { root: { path: string; readonly: boolean }; process: { args: string[]; terminal: boolean } };
    spec.root = { path: rootfs, readonly: false };
    spec.process.terminal = false;
    spec.process.args = ['/bin/true'];
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));

    // buildah working container from the same image, vfs driver, made once.
    const buildahArgs = ['--root', join(work, 'buildah-root'), '--runroot', join(work, 'buildah-run'), '--storage-driver', 'vfs'];
    const container = mustRun('buildah', [...buildahArgs, 'from', '--quiet', '--name', 'oci-kit-bench', `oci:${storeDir}:docker.io/library/busybox:local`]).trim();

    const request = (args: string[]) => ({ rootfs, args, env: [], cwd: '/', network: 'host' as const });
    const executors: [string, Executor][] = [
      ['oci-kit BwrapExecutor', new BwrapExecutor()],
      ['oci-kit UnshareExecutor', new UnshareExecutor()],
    ];
    let n = 0;
    const results: [string, number][] = [];
    results.push(['bwrap, bare (floor)', await measure(() => void mustRun('bwrap', ['--bind', rootfs, '/', '--proc', '/proc', '--dev', '/dev', '--unshare-pid', '/bin/true']))]);
    for (const [name, executor] of executors) {
      results.push([name, await measure(async () => void (await executor.run(request(['/bin/true']))))]);
    }
    results.push(['runc run', await measure(() => void mustRun('runc', ['run', '--bundle', bundle, `oci-kit-bench-${process.pid}-${n++}`]))]);
    results.push(['buildah run --isolation chroot', await measure(() => void mustRun('buildah', [...buildahArgs, 'run', '--isolation', 'chroot', container, '/bin/true']))]);
    const peer = results.find(([name]) => name === 'runc run')![1];
    console.log(`1. /bin/true in a fresh sandbox (median of ${RUNS}; ratio to runc run)`);
    for (const [name, ms] of results) console.log(row(name, ms, peer));

    let tag = 0;
    const ours = await measure(async () => {
      const result = await runContainer(store, 'busybox:local', {
        cmd: ['sh', '-c', 'echo changed > /changed'],
        executor: new BwrapExecutor(),
        commit: { tag: `bench:${tag++}` },
        tmpDir: work,
      });
      if (!result.committed) throw new Error('bench: nothing committed');
    });
    const theirs = await measure(() => {
      mustRun('buildah', [...buildahArgs, 'run', '--isolation', 'chroot', container, 'sh', '-c', 'echo changed > /changed']);
      mustRun('buildah', [...buildahArgs, 'commit', '--quiet', container, `bench-buildah:${tag++}`]);
    });
    console.log(`2. run + commit of one changed file (median of ${RUNS}; ratio to buildah run + commit)`);
    console.log(row('oci-kit runContainer (extract+run+commit)', ours, theirs));
    console.log(row('buildah run + buildah commit', theirs, theirs));
    mustRun('buildah', [...buildahArgs, 'rm', container]);
  } finally {
    try {
      execFileSync('buildah', ['--root', join(work, 'buildah-root'), '--runroot', join(work, 'buildah-run'), '--storage-driver', 'vfs', 'rm', '--all'], { stdio: 'ignore' });
    } catch {
      // nothing to remove
    }
    rmSync(work, { recursive: true, force: true });
  }
}
