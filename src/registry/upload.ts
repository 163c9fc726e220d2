/**
 * Blob uploads (distribution-spec "Pushing blobs"): skip when the repository has the blob (HEAD);
 * cross-repository mount (`POST ?mount=&from=`, falling back to the upload session a 202 opens);
 * monolithic upload (`POST` then `PUT ?digest=` with the whole body), single `POST ?digest=`, or
 * chunked upload (`PATCH` with `Content-Range`, chunks at least `OCI-Chunk-Min-Length` and at most
 * the configured maximum, then a closing `PUT ?digest=`). A broken chunk is resumed from the offset
 * the upload status (`GET` on the session) reports. The status `Range: 0-0` is ambiguous (the CNCF
 * registry sends it both when nothing and when one byte arrived), so then, as when the session is
 * gone (404), it is dropped and a new one started from byte 0. A monolithic upload that fails is started over;
 * one the registry refuses as too large (413) is retried in chunks.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Digest } from '../digest/digest.js';
import type { Descriptor } from '../image/types.js';
import type { BlobProgress } from './events.js';
import { repositoryScope } from './auth.js';
import type { RegistryClient, RepositoryName } from './client.js';
import { REGISTRY_ERROR_CODES, RegistryError } from './errors.js';
import { discardBody, isTransientNetworkError, readBody, type HttpResponse } from './transport.js';

/** Blob content to upload: bytes, or a function opening a stream at a byte offset (so uploads can resume). */
export type UploadSource = Uint8Array | ((offset: number) => Readable | Promise<Readable>);

/** How blobs are uploaded. */
export interface UploadOptions {
  /**
   * `auto` (default): monolithic, or chunked when the blob is larger than `maxChunkSize`;
   * `monolithic`, `chunked`, or `single-post` (one `POST ?digest=`, falling back when refused).
   */
  mode?: 'auto' | 'monolithic' | 'chunked' | 'single-post';
  /** Largest request body the registry accepts; bigger blobs go in chunks of at most this size. */
  maxChunkSize?: number;
  /** Chunk size for chunked uploads (default 8 MiB, raised to the registry's `OCI-Chunk-Min-Length`). */
  chunkSize?: number;
}

/** What an upload did. */
export interface UploadResult {
  digest: Digest;
  size: number;
  how: 'exists' | 'mounted' | 'uploaded';
}

type Ctx = UploadOptions & { signal?: AbortSignal | undefined; mountFrom?: string | undefined; skipExisting?: boolean };

const DEFAULT_CHUNK = 8 * 1024 * 1024;

/** Uploads one blob; see the module comment for the strategy. */
export async function uploadBlob(
  client: RegistryClient,
  repo: RepositoryName,
  source: UploadSource,
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  options: Ctx,
): Promise<UploadResult> {
  const { digest, size } = descriptor;
  const label = `${repo.registry}/${repo.repository}`;
  const pushScope = repositoryScope(repo.repository, ['pull', 'push']);
  const scopes = options.mountFrom && options.mountFrom !== repo.repository ? [pushScope, repositoryScope(options.mountFrom, ['pull'])] : [pushScope];
  if (options.skipExisting !== false) {
    const existing = await client.headBlob(repo, digest, { signal: options.signal, scopes });
    if (existing) {
      client.emit('blob-skip', { repository: label, digest, size, reason: 'exists' });
      return { digest, size, how: 'exists' };
    }
  }
  let mode = options.mode ?? 'auto';
  if (mode === 'auto') mode = options.maxChunkSize !== undefined && size > options.maxChunkSize ? 'chunked' : 'monolithic';
  let mountFrom = options.mountFrom && options.mountFrom !== repo.repository ? options.mountFrom : undefined;
  const retries = client.transport.retry.retries;
  for (let attempt = 1; ; attempt++) {
    try {
      const started = await startUpload(client, repo, digest, size, source, mode, mountFrom, scopes, options.signal);
      if (started.done === 'mounted') {
        client.emit('blob-skip', { repository: label, digest, size, reason: 'mounted' });
        return { digest, size, how: 'mounted' };
      }
      if (started.done === 'uploaded') {
        client.emit('blob-done', { direction: 'push', repository: label, digest, transferred: size, total: size });
        return { digest, size, how: 'uploaded' };
      }
      // A mount answered with 202 opened a session: upload into it; never ask for the mount again.
      mountFrom = undefined;
      const progress = { direction: 'push' as const, repository: label, digest, transferred: 0, total: size };
      client.emit('blob-start', { ...progress });
      if (mode === 'chunked') {
        const chunk = Math.min(Math.max(options.chunkSize ?? DEFAULT_CHUNK, started.minChunk), options.maxChunkSize ?? Number.POSITIVE_INFINITY);
        // Restarting opens a plain session: a mount was already answered with this one.
        const restart = async (): Promise<URL> => (await startUpload(client, repo, digest, size, source, 'chunked', undefined, scopes, options.signal)).location;
        await chunkedUpload(client, repo, started.location, restart, source, digest, size, Math.max(1, chunk), scopes, options.signal, progress);
      } else {
        const res = await client.request(repo.registry, {
          method: 'PUT',
          path: withDigest(started.location, digest),
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
          body: typeof source === 'function' ? () => counted(client, source(0), progress) : source,
          scopes,
          signal: options.signal,
          retry: false,
        });
        if (res.status === 413 && options.mode !== 'monolithic') {
          // The registry caps request bodies: do it again in chunks it accepts.
          await discardBody(res.body);
          mode = 'chunked';
          options = { ...options, chunkSize: Math.min(options.chunkSize ?? DEFAULT_CHUNK, 4 * 1024 * 1024) };
          attempt--;
          continue;
        }
        if (res.status !== 201 && res.status !== 204 && res.status !== 200) {
          if (isRetryableStatus(res.status) && attempt <= retries) throw new TransientStatus(res.status);
          return client.fail(`upload blob ${label}@${digest}`, res);
        }
        await discardBody(res.body);
        progress.transferred = size;
      }
      client.emit('blob-done', { ...progress, transferred: size });
      return { digest, size, how: 'uploaded' };
    } catch (err) {
      const transient = err instanceof TransientStatus || isTransientNetworkError(err);
      if (options.signal?.aborted || !transient || attempt > retries) {
        if (err instanceof TransientStatus) throw new RegistryError(REGISTRY_ERROR_CODES.unavailable, `upload blob ${label}@${digest} failed: HTTP ${err.status}`, { status: err.status });
        throw err;
      }
      const delayMs = client.transport.backoff(attempt);
      client.emit('retry', { method: 'PUT', url: `${label} blob ${digest}`, attempt, delayMs, reason: (err as Error).message });
      await sleep(delayMs, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }
}

class TransientStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

interface Started {
  done?: 'mounted' | 'uploaded';
  location: URL;
  minChunk: number;
}

async function startUpload(
  client: RegistryClient,
  repo: RepositoryName,
  digest: Digest,
  size: number,
  source: UploadSource,
  mode: string,
  mountFrom: string | undefined,
  scopes: string[],
  signal: AbortSignal | undefined,
): Promise<Started> {
  const base = `/v2/${repo.repository}/blobs/uploads/`;
  let path = base;
  let body: Uint8Array | (() => Readable | Promise<Readable>) | undefined;
  const headers: Record<string, string> = {};
  if (mountFrom) path = `${base}?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`;
  else if (mode === 'single-post') {
    path = `${base}?digest=${encodeURIComponent(digest)}`;
    body = typeof source === 'function' ? () => source(0) : source;
    headers['content-type'] = 'application/octet-stream';
    headers['content-length'] = String(size);
  }
  const res = await client.request(repo.registry, { method: 'POST', path, headers, body, scopes, signal, retry: body === undefined });
  if (res.status === 201) {
    await discardBody(res.body);
    return { done: mountFrom ? 'mounted' : 'uploaded', location: new URL('http://unused'), minChunk: 0 };
  }
  if (res.status !== 202) {
    if (isRetryableStatus(res.status)) {
      await discardBody(res.body);
      throw new TransientStatus(res.status);
    }
    return client.fail(`start upload ${repo.registry}/${repo.repository}@${digest}`, res);
  }
  await discardBody(res.body);
  return { location: locationOf(client, repo, res), minChunk: Number(res.headers['oci-chunk-min-length'] ?? 0) || 0 };
}

function locationOf(client: RegistryClient, repo: RepositoryName, res: HttpResponse): URL {
  const location = res.headers.location;
  if (!location) throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${repo.registry}: upload answer without a Location header`);
  return new URL(location, res.url ?? client.endpoint(repo.registry).base);
}

function withDigest(location: URL, digest: Digest): URL {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url;
}

async function counted(client: RegistryClient, opened: Readable | Promise<Readable>, progress: BlobProgress): Promise<Readable> {
  const stream = await opened;
  if (client.listenerCount('blob-progress') > 0) {
    stream.on('data', (chunk: Buffer) => {
      progress.transferred += chunk.byteLength;
      client.emit('blob-progress', progress);
    });
  }
  return stream;
}

/** Reads `source` from `offset` in chunks of `size` bytes (the last may be shorter). */
async function* chunksOf(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const data of stream as AsyncIterable<Buffer>) {
    let rest = data;
    while (rest.byteLength > 0) {
      const take = Math.min(size - have, rest.byteLength);
      parts.push(rest.subarray(0, take));
      have += take;
      rest = rest.subarray(take);
      if (have === size) {
        yield parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        parts = [];
        have = 0;
      }
    }
  }
  if (have > 0) yield Buffer.concat(parts);
}

async function chunkedUpload(
  client: RegistryClient,
  repo: RepositoryName,
  start: URL,
  restart: () => Promise<URL>,
  source: UploadSource,
  digest: Digest,
  size: number,
  chunkSize: number,
  scopes: string[],
  signal: AbortSignal | undefined,
  progress: { transferred: number; direction: 'push'; repository: string; digest: Digest; total: number },
): Promise<void> {
  const what = `chunked upload ${repo.registry}/${repo.repository}@${digest}`;
  let location = start;
  let offset = 0;
  let failures = 0;
  const open = async (from: number): Promise<AsyncGenerator<Buffer>> => {
    if (typeof source === 'function') return chunksOf(await source(from), chunkSize);
    return chunksOf(bufferStream(source.subarray(from)), chunkSize);
  };
  let chunks = await open(0);
  let pending: Buffer | undefined;
  let pendingStart = 0;
  for (;;) {
    if (!pending) {
      const next = await chunks.next();
      if (next.done) break;
      pending = next.value;
      pendingStart = offset;
    }
    const body = pending.subarray(offset - pendingStart);
    try {
      const res = await client.request(repo.registry, {
        method: 'PATCH',
        path: location,
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + body.byteLength - 1}`,
          'content-length': String(body.byteLength),
        },
        body,
        scopes,
        signal,
        retry: false,
      });
      if (res.status !== 202 && res.status !== 204) {
        if (isRetryableStatus(res.status) || res.status === 416) {
          await discardBody(res.body);
          throw new TransientStatus(res.status);
        }
        return client.fail(what, res);
      }
      await discardBody(res.body);
      location = locationOf(client, repo, res);
      offset += body.byteLength;
      progress.transferred = offset;
      client.emit('blob-progress', progress);
      pending = undefined;
      failures = 0;
    } catch (err) {
      failures++;
      const transient = err instanceof TransientStatus || isTransientNetworkError(err);
      if (signal?.aborted || !transient || failures > client.transport.retry.retries) {
        if (err instanceof TransientStatus) throw new RegistryError(REGISTRY_ERROR_CODES.unavailable, `${what} failed: HTTP ${err.status}`, { status: err.status });
        throw err;
      }
      const delayMs = client.transport.backoff(failures);
      client.emit('retry', { method: 'PATCH', url: `${repo.registry}/${repo.repository} upload`, attempt: failures, delayMs, reason: (err as Error).message });
      await sleep(delayMs, undefined, signal ? { signal } : undefined);
      // Resume where the registry says it is (upload status: 204 with Range "0-<last>").
      const status = await uploadStatus(client, repo, location, scopes, signal, what);
      location = status.location;
      if (status.offset === 'ambiguous') {
        // "0-0" may mean 0 or 1 byte received, and a lost session has none: start over in a new one.
        await abandonSession(client, repo, location, scopes, signal);
        location = await restart();
        await chunks.return(undefined);
        chunks = await open(0);
        offset = 0;
        pending = undefined;
        progress.transferred = 0;
      } else if (status.offset >= pendingStart && status.offset <= pendingStart + pending!.byteLength) {
        offset = status.offset;
        if (offset === pendingStart + pending!.byteLength) pending = undefined;
      } else {
        await chunks.return(undefined);
        chunks = await open(status.offset);
        offset = status.offset;
        pending = undefined;
      }
    }
  }
  if (offset !== size) throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${what}: the source gave ${offset} bytes, expected ${size}`);
  const res = await client.request(repo.registry, {
    method: 'PUT',
    path: withDigest(location, digest),
    headers: { 'content-length': '0' },
    scopes,
    signal,
  });
  if (res.status !== 201 && res.status !== 204 && res.status !== 200) return client.fail(what, res);
  await discardBody(res.body);
}

/**
 * Upload status (distribution-spec "Pushing a blob in chunks": `GET <location>` answers `204` with
 * `Range: 0-<end-of-range>`, the inclusive position of the last byte received). No `Range` means
 * nothing arrived; `0-0` is `'ambiguous'`, since registries also send it when nothing arrived, and
 * so is a session the registry no longer knows (404).
 */
export async function uploadStatus(client: RegistryClient, repo: RepositoryName, location: URL, scopes: string[], signal: AbortSignal | undefined, what: string): Promise<{ offset: number | 'ambiguous'; location: URL }> {
  const res = await client.request(repo.registry, { method: 'GET', path: location, scopes, signal });
  if (res.status === 404) {
    // The CNCF registry refuses the status of a session whose stored size no longer matches the
    // state in its Location (a chunk arrived in part) with 404 BLOB_UPLOAD_INVALID: start over.
    await discardBody(res.body);
    return { offset: 'ambiguous', location };
  }
  if (res.status !== 204 && res.status !== 200) return client.fail(`${what}: upload status`, res);
  await readBody(res.body, 1024 * 1024);
  const header = String(res.headers.range ?? '').trim();
  const range = /^(?:bytes=)?(\d+)-(\d+)$/.exec(header);
  const next = res.headers.location ? locationOf(client, repo, res) : location;
  if (header !== '' && !range) throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${what}: upload status with an unreadable Range ${JSON.stringify(header)}`);
  if (!range) return { offset: 0, location: next };
  const end = Number(range[2]);
  return { offset: end === 0 ? 'ambiguous' : end + 1, location: next };
}

/** Best-effort cancel of an upload session being replaced (the registry would expire it anyway). */
async function abandonSession(client: RegistryClient, repo: RepositoryName, location: URL, scopes: string[], signal: AbortSignal | undefined): Promise<void> {
  try {
    const res = await client.request(repo.registry, { method: 'DELETE', path: location, scopes, signal, retry: false });
    await discardBody(res.body);
  } catch (err) {
    if (signal?.aborted) throw err;
  }
}

async function* bufferStreamGen(bytes: Uint8Array): AsyncGenerator<Buffer> {
  yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bufferStream(bytes: Uint8Array): Readable {
  return { [Symbol.asyncIterator]: () => bufferStreamGen(bytes) } as unknown as Readable;
}
