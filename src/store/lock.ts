/**
 * An inter-process lock on a file created with O_EXCL (`open(..., 'wx')`), which is atomic on local
 * file systems and NFSv3+. The lock file records `pid hostname time`; a lock whose process is gone
 * (same host) or which is very old (another host) is stale and is broken. Breaking is itself guarded
 * by a second O_EXCL file, so two waiters that both see the same stale lock cannot both remove it
 * and end up holding "the" lock at once.
 *
 * @module
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreLockedError } from './errors.js';
import { processAlive } from './atomic-file.js';

/** Options for {@link withFileLock}. */
export interface FileLockOptions {
  /** Give up with `ERR_STORE_LOCKED` after this long (default 60 s). */
  timeoutMs?: number;
  /** A lock held by another host is considered abandoned after this long (default 10 min). */
  foreignStaleMs?: number;
  signal?: AbortSignal | undefined;
}

interface Holder {
  pid: number;
  host: string;
}

function parseHolder(text: string): Holder | undefined {
  const [pid, host] = text.trim().split(' ');
  const n = Number(pid);
  return Number.isSafeInteger(n) && n > 0 && host ? { pid: n, host } : undefined;
}

/** Runs `fn` while holding the lock at `lockPath`, releasing it afterwards even when `fn` throws. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  await acquire(lockPath, options);
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o644);
    try {
      await handle.writeFile(`${process.pid} ${hostname()} ${new Date().toISOString()}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function acquire(lockPath: string, options: FileLockOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await tryCreate(lockPath)) return;
    const holder = await staleHolder(lockPath, options.foreignStaleMs ?? 600_000);
    if (holder !== undefined) {
      await breakStaleLock(lockPath, holder);
      continue;
    }
    if (Date.now() > deadline) {
      const text = await readFile(lockPath, 'utf8').catch(() => 'unknown holder');
      throw new StoreLockedError(lockPath, text.trim() || 'unknown holder');
    }
    // Jittered backoff: index.json updates take about a millisecond, so start small.
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 50);
  }
}

/** Returns the lock file's content when the lock is stale, undefined when it is live (or gone). */
async function staleHolder(lockPath: string, foreignStaleMs: number): Promise<string | undefined> {
  let text: string;
  let age: number;
  try {
    [text, age] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath).then((s) => Date.now() - s.mtimeMs)]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const holder = parseHolder(text);
  // An empty file is a lock being created right now, unless it has been empty for a long time.
  if (!holder) return age > foreignStaleMs ? text : undefined;
  if (holder.host === hostname()) return processAlive(holder.pid) ? undefined : text;
  return age > foreignStaleMs ? text : undefined;
}

async function breakStaleLock(lockPath: string, staleText: string): Promise<void> {
  const breaker = `${lockPath}.break`;
  if (!(await tryCreate(breaker))) {
    // Someone else is breaking it; a breaker left behind by a crash is itself stale after a while.
    const age = await stat(breaker).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > 10_000) await rm(breaker, { force: true });
    await sleep(2);
    return;
  }
  try {
    // Only remove the lock if it is still the stale one we looked at, not a fresh lock taken since.
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === staleText) await rm(lockPath, { force: true });
  } finally {
    await rm(breaker, { force: true });
  }
}
