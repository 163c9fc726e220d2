/**
 * Opening the store a command works on: writers create the layout on first use; readers treat a
 * store directory that does not exist yet as an empty store, so `oci-kit images` on a fresh machine
 * prints an empty list and `oci-kit inspect x` says "no image named x" rather than "no layout".
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import type { ImageStore } from './blob-store.js';
import { OciLayout } from './layout.js';
import { MemoryStore } from './memory.js';

/** Opens the layout at `dir` for writing, creating it when missing. */
export function openStoreForWriting(dir: string): Promise<OciLayout> {
  return OciLayout.open(dir, { create: true });
}

/** Opens the layout at `dir` for reading; a missing directory reads as an empty store. */
export async function openStoreForReading(dir: string): Promise<ImageStore> {
  const exists = await stat(dir).then(() => true, (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return false;
    throw err;
  });
  return exists ? OciLayout.open(dir) : new MemoryStore();
}
