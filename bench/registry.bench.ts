// Registry bench: push and pull of a ~300 MB, 5-layer image to and from the local CNCF registry
// (/usr/bin/docker-registry on 127.0.0.1) with oci-kit against `skopeo copy` in the same run, and
// the time of a re-push when every blob is already there. oci-kit runs in a child process (like
// skopeo); we report its operation time (as measured inside the child: after module loading) and
// the child's wall time and peak RSS. Both tools go between an OCI layout on disk and the registry.
// Size: BENCH_REGISTRY_MB (default 300). Rounds: BENCH_ROUNDS (default 3; medians are reported).
import { spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { OCI } from '../src/image/media-types.js';
import { OciLayout } from '../src/store/layout.js';
import { RegistryClient } from '../src/registry/client.js';
import { pull, push } from '../src/registry/copy.js';
import { startCncfRegistry } from '../test/interop/registry/cncf-registry.js';

const SELF = fileURLToPath(import.meta.url);

/** Child process: one push or pull, printing its own time and peak RSS. */
async function child(op: string, layoutDir: string, ref: string): Promise<void> {
  const client = new RegistryClient({ dockerConfig: false });
  const layout = await OciLayout.open(layoutDir, { create: true });
  const start = performance.now();
  if (op === 'push') await push(layout, 'bench', ref, { client });
  else await pull(ref, layout, { client });
  const ms = performance.now() - start;
  client.close();
  process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function ours(op: string, layoutDir: string, ref: string): { ms: number; wallMs: number; maxRssKb: number } {
  let out = '';
  const wallMs = timed(() => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', op, layoutDir, ref], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`bench child failed: ${result.stderr}`);
    out = result.stdout;
  });
  return { ...(JSON.parse(out) as { ms: number; maxRssKb: number }), wallMs };
}

async function makeImage(dir: string, totalMb: number): Promise<OciLayout> {
  const layout = await OciLayout.open(dir, { create: true });
  const layers = [];
  const per = Math.floor((totalMb * 1024 * 1024) / 5);
  for (let i = 0; i < 5; i++) {
    // Random bytes in 4 MiB pieces: incompressible, and the bench never holds a whole layer.
    const pieces = Math.ceil(per / (4 << 20));
    const source = Readable.from((function* () {
      for (let p = 0; p < pieces; p++) yield randomBytes(Math.min(4 << 20, per - p * (4 << 20)));
    })());
    const info = await layout.put(source);
    layers.push({ mediaType: OCI.layer, ...info });
  }
  const config = await layout.put(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }));
  const manifest = await layout.put(JSON.stringify({ schemaVersion: 2, mediaType: OCI.manifest, config: { mediaType: OCI.config, ...config }, layers }));
  await layout.setTag('bench', { mediaType: OCI.manifest, ...manifest });
  return layout;
}

export async function run(): Promise<void> {
  const mb = Number(process.env.BENCH_REGISTRY_MB ?? 300);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const dir = await mkdtemp(join(tmpdir(), 'oci-kit-bench-registry-'));
  try {
    const source = join(dir, 'source');
    await makeImage(source, mb);
    const skopeo = (args: string[]) => timed(() => execFileSync('skopeo', ['--insecure-policy', ...args], { stdio: 'ignore' }));
    const rows: Record<string, { ours: number[]; wall: number[]; peer: number[]; rss: number }> = {
      push: { ours: [], wall: [], peer: [], rss: 0 },
      pull: { ours: [], wall: [], peer: [], rss: 0 },
    };
    const repush: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // A fresh registry each round, and skopeo first: skopeo remembers where it saw blobs and would
      // mount them from an earlier push instead of uploading.
      const registry = await startCncfRegistry('/usr/bin/docker-registry');
      try {
        const oursRef = `${registry.host}/bench/ocikit-${round}:1`;
        const peerRef = `${registry.host}/bench/skopeo-${round}:1`;
        rows.push!.peer.push(skopeo(['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${source}:bench`, `docker://${peerRef}`]));
        const p = ours('push', source, oursRef);
        rows.push!.ours.push(p.ms);
        rows.push!.wall.push(p.wallMs);
        rows.push!.rss = Math.max(rows.push!.rss, p.maxRssKb);
        const again = ours('push', source, oursRef);
        repush.push(again.ms);
        const pullDir = join(dir, `pull-ours-${round}`);
        const q = ours('pull', pullDir, oursRef);
        rows.pull!.ours.push(q.ms);
        rows.pull!.wall.push(q.wallMs);
        rows.pull!.rss = Math.max(rows.pull!.rss, q.maxRssKb);
        const peerDir = join(dir, `pull-peer-${round}`);
        rows.pull!.peer.push(skopeo(['copy', '--preserve-digests', '--src-tls-verify=false', `docker://${peerRef}`, `oci:${peerDir}:1`]));
        await rm(pullDir, { recursive: true, force: true });
        await rm(peerDir, { recursive: true, force: true });
      } finally {
        await registry.stop();
      }
    }
    console.log(`image: ${mb} MB in 5 layers, CNCF registry on loopback, ${rounds} rounds, medians; load average ${loadavg()[0]!.toFixed(1)}`);
    console.log('op     oci-kit (op)  oci-kit (process)  skopeo     ratio (op)  ratio (process)  oci-kit peak RSS');
    for (const [op, r] of Object.entries(rows)) {
      const o = median(r.ours);
      const w = median(r.wall);
      const s = median(r.peer);
      console.log(
        `${op.padEnd(6)} ${`${(o / 1000).toFixed(2)} s`.padEnd(13)} ${`${(w / 1000).toFixed(2)} s`.padEnd(18)} ${`${(s / 1000).toFixed(2)} s`.padEnd(10)} ${(o / s).toFixed(2).padEnd(11)} ${(w / s).toFixed(2).padEnd(16)} ${(r.rss / 1024).toFixed(0)} MB`,
      );
    }
    console.log(`re-push (all blobs present): ${median(repush).toFixed(0)} ms (target < 100 ms)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
}
