/**
 * The typed events of a {@link RegistryClient} (Node's generic `EventEmitter<Events>`): bytes moved
 * per blob, blobs skipped or mounted, manifests written, and retries.
 *
 * @module
 */
import type { Digest } from '../digest/digest.js';

/** Progress of one blob transfer. */
export interface BlobProgress {
  direction: 'pull' | 'push';
  /** `registry/repository`. */
  repository: string;
  digest: Digest;
  /** Bytes moved so far. */
  transferred: number;
  /** The blob's size, when known. */
  total: number | undefined;
}

/** A blob that was not moved because the target already has it, or got it by a mount. */
export interface BlobSkipped {
  repository: string;
  digest: Digest;
  size: number;
  reason: 'exists' | 'mounted';
}

/** Events and their listener arguments. */
export interface RegistryEvents {
  /** A blob transfer started. */
  'blob-start': [BlobProgress];
  /** More bytes of a blob moved (at most once per received or sent chunk). */
  'blob-progress': [BlobProgress];
  /** A blob transfer finished. */
  'blob-done': [BlobProgress];
  'blob-skip': [BlobSkipped];
  /** A manifest was written (`reference` is a tag or digest). */
  manifest: [{ repository: string; reference: string; digest: Digest; mediaType: string }];
  /** A request is about to be retried after `delayMs`. */
  retry: [{ method: string; url: string; attempt: number; delayMs: number; reason: string }];
}
