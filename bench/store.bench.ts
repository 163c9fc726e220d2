// Store bench: streaming a large blob into an OciLayout (hash + verify + write + fsync + rename)
// against the same work done by coreutils (sha256sum, cp, sync), and the peak RSS of our process,
// which must stay flat whatever the blob size. Size: BENCH_STORE_MB (default 256).
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestOfStream } from '../src/digest/hasher.js';
import { OciLayout } from '../src/store/layout.js';

const SELF = fileURLToPath(import.meta.url);

async function child(file: string, layoutDir: string, digest: string, size: number): Promise<void> {
  const layout = await OciLayout.open(layoutDir, { create: true });
  const start = performance.now();
  await layout.put(createReadStream(file, { highWaterMark: 1 << 20 }), { digest: digest as `sha256:${string}`, size });
  const ms = performance.now() - start;
  process.stdout.write(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<void> {
  const mb = Number(process.env.BENCH_STORE_MB ?? 256);
  const dir = await mkdtemp(join(tmpdir(), 'oci-kit-bench-store-'));
  try {
    const file = join(dir, 'blob');
    // Random data in 16 MiB pieces, so the bench itself does not hold the whole blob.
    await writeFile(file, '');
    for (let written = 0; written < mb; written += 16) await writeFile(file, randomBytes(16 << 20).subarray(0, Math.min(16, mb - written) << 20), { flag: 'a' });
    const { digest, size } = await digestOfStream(createReadStream(file));
    const ours: number[] = [];
    const peer: number[] = [];
    let rss = 0;
    for (let round = 0; round < 3; round++) {
      const layoutDir = join(dir, `layout-${round}`);
      const result = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', file, layoutDir, digest, String(size)], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`bench child failed: ${result.stderr}`);
      const parsed = JSON.parse(result.stdout) as { ms: number; maxRssKb: number };
      ours.push(parsed.ms);
      rss = Math.max(rss, parsed.maxRssKb);
      await rm(layoutDir, { recursive: true, force: true });

      const target = join(dir, `peer-${round}`);
      const start = performance.now();
      const shell = spawnSync('sh', ['-c', 'sha256sum "$1" >/dev/null && cp "$1" "$2.tmp" && sync "$2.tmp" && mv "$2.tmp" "$2"', 'sh', file, target]);
      if (shell.status !== 0) throw new Error(`peer failed: ${shell.stderr}`);
      peer.push(performance.now() - start);
      await rm(target, { force: true });
    }
    const o = median(ours);
    const p = median(peer);
    console.log(`blob: ${mb} MiB, 3 rounds, medians`);
    console.log(`  OciLayout.put (hash+verify+write+fsync+rename): ${o.toFixed(0)} ms`);
    console.log(`  sha256sum + cp + sync + mv (coreutils):         ${p.toFixed(0)} ms`);
    console.log(`  ratio ours/peer: ${(o / p).toFixed(2)}x`);
    console.log(`  peak RSS of the put process: ${(rss / 1024).toFixed(0)} MiB for a ${mb} MiB blob`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [file, layoutDir, digest, size] = process.argv.slice(3);
  await child(file!, layoutDir!, digest!, Number(size));
}
