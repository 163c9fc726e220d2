/**
 * Write leases of an OCI layout: a process that is putting blobs it has not tagged yet holds a
 * lease, a file `.oci-kit/leases/<pid>-<random>` containing `pid host time`. Garbage collection
 * spares every unreachable blob written after the oldest live lease was taken, so a pull, build or
 * load running meanwhile keeps its untagged blobs, while blobs of removed images (written before)
 * are still freed at once when no writer is active. This is the idea of containerd's leases
 * (docs/garbage-collection.md in containerd), reduced to what a shared directory can express: a
 * lease protects by time, not by a list of resources.
 *
 * A lease is live while its process runs (same host) or, for another host, for a day. Leases of
 * dead processes are stale: garbage collection ignores and removes them. Leases are removed when
 * released and, synchronously, when the process exits normally.
 *
 * @module
 */
import { open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive, syncDirectory, temporaryName } from './atomic-file.js';

/** A held lease; release it (or `await using` it) when the write is tagged or abandoned. */
export interface StoreLease extends AsyncDisposable {
  /** The lease file. */
  readonly path: string;
  /** When the lease was taken, in ms since the epoch (the lease file's modification time). */
  readonly createdMs: number;
  /** Removes the lease; calling it again does nothing. */
  release(): Promise<void>;
}

/** What {@link inspectLeases} found. */
export interface LeaseScan {
  /** Creation time of the oldest live lease not excluded, in ms since the epoch. */
  oldestLiveMs: number | undefined;
  /** Number of live leases not excluded. */
  live: number;
  /** Stale leases (their process is gone) removed, or that would be in a dry run. */
  stale: number;
}

/** A lease of a process on another host is trusted for this long (its pid cannot be checked). */
const FOREIGN_LEASE_MAX_AGE_MS = 24 * 3600_000;

/** Lease files of this process, removed at exit so a clean exit leaves none behind. */
const held = new Set<string>();
let exitHookInstalled = false;

function removeHeldLeasesSync(): void {
  for (const path of held) rmSync(path, { force: true });
  held.clear();
}

/** Creates a lease file in `leaseDir` (which must exist). */
export async function takeLease(leaseDir: string): Promise<StoreLease> {
  const path = join(leaseDir, temporaryName('lease'));
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(`${process.pid} ${hostname()} ${new Date().toISOString()}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // The lease must be visible before the first blob it protects is renamed into blobs/.
  await syncDirectory(leaseDir);
  const createdMs = (await stat(path)).mtimeMs;
  held.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', removeHeldLeasesSync);
  }
  let released: Promise<void> | undefined;
  const release = (): Promise<void> => {
    released ??= rm(path, { force: true }).then(() => {
      held.delete(path);
    });
    return released;
  };
  return { path, createdMs, release, [Symbol.asyncDispose]: release };
}

/**
 * Lists the leases in `leaseDir`: the creation time of the oldest live one (ignoring the files in
 * `exclude`), and removes stale ones unless `dryRun`.
 */
export async function inspectLeases(leaseDir: string, options: { exclude?: ReadonlySet<string>; dryRun?: boolean } = {}): Promise<LeaseScan> {
  const scan: LeaseScan = { oldestLiveMs: undefined, live: 0, stale: 0 };
  const names = await readdir(leaseDir).catch(() => [] as string[]);
  const here = hostname();
  for (const name of names) {
    const path = join(leaseDir, name);
    const [text, info] = await Promise.all([readFile(path, 'utf8').catch(() => undefined), stat(path).catch(() => undefined)]);
    if (text === undefined || !info?.isFile()) continue; // released meanwhile
    const [pidText, host] = text.trim().split(' ');
    const pid = Number(pidText);
    const known = Number.isSafeInteger(pid) && pid > 0 && host !== undefined;
    const live = known
      ? host === here
        ? processAlive(pid)
        : Date.now() - info.mtimeMs < FOREIGN_LEASE_MAX_AGE_MS
      : // Empty: being written right now, unless it has stayed empty for long.
        text === '' && Date.now() - info.mtimeMs < FOREIGN_LEASE_MAX_AGE_MS;
    if (!live) {
      scan.stale++;
      if (!options.dryRun) await rm(path, { force: true });
      continue;
    }
    if (options.exclude?.has(path)) continue;
    scan.live++;
    if (scan.oldestLiveMs === undefined || info.mtimeMs < scan.oldestLiveMs) scan.oldestLiveMs = info.mtimeMs;
  }
  return scan;
}
