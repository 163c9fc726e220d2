/**
 * Image surgery on images in a registry: the inputs are pulled into the store (content already
 * there is not fetched again), the surgery runs on the store, and the result is pushed to the
 * registry under its tag (blobs the registry holds are skipped, so only the new config and manifest
 * travel for mutate). This is the store-based counterpart of crane's registry-to-registry edits.
 *
 * @module
 */
import { pull, push, type CopyResult, type RegistryClient } from '../registry/index.js';
import type { Platform } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';
import { ImageSurgeryError } from './errors.js';
import type { SurgeryResult } from './rewrite.js';

/** Options of {@link remoteSurgery}. */
export interface RemoteSurgeryOptions {
  client?: RegistryClient;
  /** Platform pulled for each input (default: the host's; `all` keeps whole indexes). */
  platform?: Platform | string;
  signal?: AbortSignal;
}

/** What a remote surgery did. */
export interface RemoteSurgeryResult extends SurgeryResult {
  /** The push of the result. */
  pushed: CopyResult;
}

/** Pulls `inputs`, runs `operation` on the store, and pushes its result's tag. */
export async function remoteSurgery(store: ImageStore, inputs: string[], operation: () => Promise<SurgeryResult>, options: RemoteSurgeryOptions = {}): Promise<RemoteSurgeryResult> {
  const copyOptions = { ...(options.client ? { client: options.client } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  for (const input of inputs) {
    if (input === 'scratch') continue;
    await pull(input, store, { ...copyOptions, ...(options.platform ? { platform: options.platform } : {}) });
  }
  const result = await operation();
  if (!result.tag) {
    throw new ImageSurgeryError('the result has no tag to push', { hint: 'give the result a tag with -t REGISTRY/REPOSITORY:TAG' });
  }
  const pushed = await push(store, result.tag, undefined, copyOptions);
  return { ...result, pushed };
}
