/**
 * Crash-safe file replacement: content goes to a temporary file in the same file system, is
 * fsync'd, and is then renamed over the target (rename(2) is atomic), and the directory is fsync'd
 * so the rename itself survives a crash. Readers see the old file or the new one, never a mix.
 *
 * @module
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

/** A temporary file name that says which process made it, so stale ones can be recognised later. */
export function temporaryName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Parses the pid out of a {@link temporaryName}, or undefined when the name is not one of ours. */
export function temporaryOwner(name: string): number | undefined {
  const match = /^[a-z]+-(\d+)-[0-9a-f]{12}(?:\.[a-z]+)?$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** fsyncs a directory so that entries just created or renamed in it are durable. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some file systems refuse fsync on directories (EINVAL/EISDIR); the rename is still atomic.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw err;
  } finally {
    await handle?.close();
  }
}

/** Writes `data` to `target` atomically, staging it in `tempDir` (which must be on the same file system). */
export async function writeFileAtomic(target: string, data: string | Uint8Array, tempDir: string): Promise<void> {
  const temp = join(tempDir, temporaryName('file'));
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(target));
}

/** True when a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
