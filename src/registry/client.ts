/**
 * `RegistryClient`: the OCI distribution-spec v1.1 client (spec.md "Endpoints"): `/v2/` ping,
 * manifests (GET/HEAD/PUT/DELETE with Accept negotiation), blobs (GET with redirects and
 * resumption, HEAD, DELETE), uploads (see upload.ts), tags list and catalog with `Link`
 * pagination, and the referrers API with the tag-schema fallback.
 *
 * Every request goes through {@link RegistryClient.request}, which pings a registry once to learn
 * its challenge, attaches the authorization for the scopes the call needs, retries transient
 * failures, and answers a 401 by widening the scope once and trying again.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { createHasher, type Hasher } from '../digest/hasher.js';
import { parseDigest, type Digest } from '../digest/digest.js';
import { DigestMismatchError, VerifyingStream, verifyBytes } from '../digest/verify.js';
import { DOCKER, OCI } from '../image/media-types.js';
import type { Descriptor, ImageIndex } from '../image/types.js';
import type { BlobInfo } from '../store/blob-store.js';
import { Authenticator, repositoryScope, type CredentialProvider, type Credentials } from './auth.js';
import { dockerConfigCredentials, type DockerConfigOptions } from './credentials.js';
import { REGISTRY_ERROR_CODES, RegistryError, errorFromResponse } from './errors.js';
import type { RegistryEvents } from './events.js';
import {
  Transport,
  discardBody,
  readBody,
  resolveEndpoint,
  type Endpoint,
  type HttpResponse,
  type RequestBody,
  type TransportOptions,
} from './transport.js';
import { BlobReader } from './blob-reader.js';
import { uploadBlob, type UploadOptions, type UploadResult, type UploadSource } from './upload.js';

/** A repository on a registry. A parsed reference (`Reference`) fits this shape. */
export interface RepositoryName {
  /** `docker.io`, `localhost:5000`, ... */
  registry: string;
  /** `library/ubuntu`, `team/app`, ... */
  repository: string;
}

/** Options of a {@link RegistryClient}. */
export interface RegistryClientOptions extends TransportOptions {
  /**
   * Credentials: a provider function, or a map from registry name to credentials. They are tried
   * before the Docker config.
   */
  credentials?: CredentialProvider | Record<string, Credentials>;
  /** Read credentials from the Docker config (default true; pass options to pick another env). */
  dockerConfig?: boolean | DockerConfigOptions;
  /** Registries (names, with or without port) reached over plain HTTP. Loopback always is. */
  insecure?: string[];
  /** Pull-through mirrors per registry, tried in order before it: `{ 'docker.io': ['mirror.local:5000'] }`. */
  mirrors?: Record<string, string[]>;
  /** Upload defaults (chunk sizes, mode). */
  upload?: UploadOptions;
}

/** A manifest as fetched. */
export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
}

/** Options shared by calls. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
}

/** Options of a low-level {@link RegistryClient.request}. */
export interface RegistryRequest extends CallOptions {
  method: string;
  /** A path below the registry's base URL (`/v2/...`) or an absolute URL (an upload location). */
  path: string | URL;
  headers?: Record<string, string>;
  body?: RequestBody | undefined;
  /** Token scopes the request needs. */
  scopes: string[];
  followRedirects?: boolean;
  /** false: one attempt only (the caller restarts a whole operation instead). */
  retry?: boolean;
  /** Try the registry's mirrors first (read requests only). */
  useMirrors?: boolean;
}

/** The Accept list for manifests: OCI and Docker schema 2, indexes and images. */
export const MANIFEST_ACCEPT = [OCI.index, OCI.manifest, DOCKER.manifestList, DOCKER.manifest].join(', ');

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** Builds the path `/v2/<name>/<rest>`. */
function v2(repository: string, rest: string): string {
  return `/v2/${repository}/${rest}`;
}

/** `registry/repository` for messages. */
export function repositoryLabel(repo: RepositoryName): string {
  return `${repo.registry}/${repo.repository}`;
}

/** `registry/repository:tag` or `registry/repository@digest`, as a reference is written (for messages). */
export function referenceLabel(repo: RepositoryName, reference: string): string {
  return `${repositoryLabel(repo)}${reference.includes(':') ? '@' : ':'}${reference}`;
}

/** The OCI distribution-spec client. Emits {@link RegistryEvents}. */
export class RegistryClient extends EventEmitter<RegistryEvents> {
  readonly transport: Transport;
  readonly uploadDefaults: UploadOptions;
  private readonly auth: Authenticator;
  private readonly insecure: string[];
  private readonly mirrors: Record<string, string[]>;
  private readonly pings = new Map<string, Promise<void>>();

  constructor(options: RegistryClientOptions = {}) {
    super();
    this.transport = new Transport(options);
    this.insecure = options.insecure ?? [];
    this.mirrors = options.mirrors ?? {};
    this.uploadDefaults = options.upload ?? {};
    const explicit = options.credentials;
    const fromConfig =
      options.dockerConfig === false ? undefined : dockerConfigCredentials(typeof options.dockerConfig === 'object' ? options.dockerConfig : {});
    const provider: CredentialProvider = async (registry) => {
      const given = typeof explicit === 'function' ? await explicit(registry) : explicit?.[registry];
      return given ?? (fromConfig ? await fromConfig(registry) : undefined);
    };
    this.auth = new Authenticator(this.transport, provider, (info) => this.emit('retry', info), this.insecure);
  }

  /** Where requests for `registry` go. */
  endpoint(registry: string): Endpoint {
    return resolveEndpoint(registry, this.insecure);
  }

  /** Closes idle connections. */
  close(): void {
    this.transport.close();
  }

  /**
   * Checks that the registry speaks the v2 API (`GET /v2/`) and learns how it authenticates.
   * Throws when it answers neither 200 nor 401.
   */
  async ping(registry: string, options: CallOptions = {}): Promise<void> {
    const endpoint = this.endpoint(registry);
    const res = await this.transport.sendWithRetry(
      { method: 'GET', url: new URL('/v2/', endpoint.base), signal: options.signal },
      (info) => this.emit('retry', info),
    );
    const body = await readBody(res.body, 1024 * 1024);
    if (res.status === 200) this.auth.markOpen(registry);
    else if (res.status === 401) await this.auth.learn(endpoint, res.headers['www-authenticate']);
    else throw errorFromResponse(`ping ${registry}`, res.status, body);
  }

  /**
   * Checks that the configured credentials are accepted (`GET /v2/` authenticated; for Bearer
   * registries this asks the token service for a token). Throws `ERR_REGISTRY_UNAUTHORIZED` if not.
   */
  async checkLogin(registry: string, options: CallOptions = {}): Promise<void> {
    const res = await this.request(registry, { method: 'GET', path: '/v2/', scopes: [], signal: options.signal });
    if (res.status !== 200) return this.fail(`login to ${registry}`, res);
    await discardBody(res.body);
  }

  /** A request with authorization, retries and one scope widening on 401. */
  async request(registry: string, request: RegistryRequest): Promise<HttpResponse> {
    const candidates = request.useMirrors ? [...(this.mirrors[registry] ?? []), registry] : [registry];
    let lastError: unknown;
    for (const [index, host] of candidates.entries()) {
      const last = index === candidates.length - 1;
      try {
        const res = await this.requestOne(host, request);
        if (last || res.status < 400) return res;
        await discardBody(res.body);
      } catch (err) {
        if (last || request.signal?.aborted) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  private async requestOne(registry: string, request: RegistryRequest): Promise<HttpResponse> {
    const endpoint = this.endpoint(registry);
    if (!this.auth.knowsChallenge(registry)) {
      let ping = this.pings.get(registry);
      if (!ping) {
        ping = this.ping(registry, request);
        this.pings.set(registry, ping);
        ping.catch(() => this.pings.delete(registry));
      }
      await ping;
    }
    const url = typeof request.path === 'string' ? new URL(request.path, endpoint.base) : request.path;
    let scopes = request.scopes;
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.auth.authorization(endpoint, scopes, request.signal);
      const headers = { ...request.headers, ...(authorization ? { authorization } : {}) };
      const http = { method: request.method, url, headers, body: request.body, signal: request.signal, followRedirects: request.followRedirects ?? false };
      const res = request.retry === false ? await this.transport.send(http) : await this.transport.sendWithRetry(http, (info) => this.emit('retry', info));
      if (res.status !== 401 || attempt > 0) return res;
      // A 401 means the token expired, lacks a scope (error="insufficient_scope"), or the
      // registry changed its challenge: learn it, widen to its scope, and try once more.
      await discardBody(res.body);
      const learnt = await this.auth.learn(endpoint, res.headers['www-authenticate']);
      if (!learnt) return res;
      this.auth.forgetTokens(registry);
      scopes = [...scopes, ...this.auth.challengeScopes(registry)];
    }
  }

  /** Throws the typed error for an unexpected answer (reads the spec error body). */
  async fail(what: string, res: HttpResponse): Promise<never> {
    const body = res.body.readableEnded ? Buffer.alloc(0) : await readBody(res.body, 1024 * 1024).catch(() => Buffer.alloc(0));
    const err = errorFromResponse(what, res.status, body);
    if (err.code === REGISTRY_ERROR_CODES.unauthorized) {
      throw new RegistryError(err.code, `${what}: unauthorized (HTTP ${res.status}): the registry refused the credentials or needs a login`, {
        status: res.status,
        errors: err.errors,
        hint: 'check the user name and password; run "oci-kit login HOST" or set DOCKER_CONFIG',
      });
    }
    throw err;
  }

  // ---- manifests ----------------------------------------------------------------------------

  /**
   * Fetches a manifest or index by tag or digest. By digest, the bytes are verified against it.
   * Schema 1 manifests are refused with `ERR_REGISTRY_UNSUPPORTED`.
   */
  async getManifest(repo: RepositoryName, reference: string, options: CallOptions & { accept?: string } = {}): Promise<FetchedManifest> {
    const what = `GET manifest ${referenceLabel(repo, reference)}`;
    const res = await this.request(repo.registry, {
      method: 'GET',
      path: v2(repo.repository, `manifests/${reference}`),
      headers: { accept: options.accept ?? MANIFEST_ACCEPT },
      scopes: [repositoryScope(repo.repository, ['pull'])],
      signal: options.signal,
      useMirrors: true,
      followRedirects: true,
    });
    if (res.status !== 200) return this.fail(what, res);
    const bytes = await readBody(res.body, MAX_MANIFEST_BYTES);
    const mediaType = manifestMediaType(bytes, res.headers['content-type'], what);
    const digest = manifestDigest(bytes, reference, res.headers['docker-content-digest'], what);
    return { descriptor: { mediaType, digest, size: bytes.byteLength }, bytes };
  }

  /** The descriptor of a manifest (HEAD), or undefined when it does not exist. */
  async headManifest(repo: RepositoryName, reference: string, options: CallOptions = {}): Promise<Descriptor | undefined> {
    const res = await this.request(repo.registry, {
      method: 'HEAD',
      path: v2(repo.repository, `manifests/${reference}`),
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [repositoryScope(repo.repository, ['pull'])],
      signal: options.signal,
      useMirrors: true,
      followRedirects: true,
    });
    await discardBody(res.body);
    if (res.status === 404) return undefined;
    if (res.status !== 200) return this.fail(`HEAD manifest ${referenceLabel(repo, reference)}`, res);
    const digest = headerValue(res.headers['docker-content-digest']);
    const size = Number(headerValue(res.headers['content-length']));
    const mediaType = headerValue(res.headers['content-type'])?.split(';')[0]?.trim();
    if (!digest || !mediaType || !Number.isFinite(size)) {
      // Without Docker-Content-Digest a HEAD cannot name the manifest: fall back to a GET.
      return (await this.getManifest(repo, reference, options)).descriptor;
    }
    if (isSchema1(mediaType)) throw schema1Error(`HEAD manifest ${referenceLabel(repo, reference)}`);
    return { mediaType, digest: digest as Digest, size };
  }

  /**
   * Uploads a manifest under a tag or its digest. When it has a `subject` and the registry does not
   * answer with `OCI-Subject`, the referrers tag-schema index is updated (distribution-spec
   * "Pushing Manifests with Subject").
   */
  async putManifest(
    repo: RepositoryName,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    options: CallOptions = {},
  ): Promise<{ digest: Digest; subject: Digest | undefined }> {
    const digest = createDigest(bytes);
    const what = `PUT manifest ${referenceLabel(repo, reference)}`;
    const res = await this.request(repo.registry, {
      method: 'PUT',
      path: v2(repo.repository, `manifests/${reference}`),
      headers: { 'content-type': mediaType },
      body: bytes,
      scopes: [repositoryScope(repo.repository, ['pull', 'push'])],
      signal: options.signal,
    });
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) return this.fail(what, res);
    await discardBody(res.body);
    const answered = headerValue(res.headers['docker-content-digest']);
    if (answered && answered.startsWith('sha256:') && answered !== digest) {
      throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${what}: the registry stored ${answered}, expected ${digest}`);
    }
    const subjectHeader = headerValue(res.headers['oci-subject']) as Digest | undefined;
    const subject = parseSubject(bytes);
    if (subject && !subjectHeader) await this.addToReferrersTag(repo, subject, { mediaType, digest, size: bytes.byteLength }, bytes, options);
    this.emit('manifest', { repository: repositoryLabel(repo), reference, digest, mediaType });
    return { digest, subject: subjectHeader ?? subject?.digest };
  }

  /** Deletes a manifest by digest (or by tag, where the registry allows it). */
  async deleteManifest(repo: RepositoryName, reference: string, options: CallOptions = {}): Promise<void> {
    const res = await this.request(repo.registry, {
      method: 'DELETE',
      path: v2(repo.repository, `manifests/${reference}`),
      scopes: [repositoryScope(repo.repository, ['delete'])],
      signal: options.signal,
    });
    if (res.status !== 202 && res.status !== 200 && res.status !== 204) return this.fail(`DELETE manifest ${referenceLabel(repo, reference)}`, res);
    await discardBody(res.body);
  }

  // ---- blobs ----------------------------------------------------------------------------------

  /** Size and digest of a blob (HEAD), or undefined when the repository lacks it. */
  async headBlob(repo: RepositoryName, digest: Digest, options: CallOptions & { scopes?: string[] } = {}): Promise<BlobInfo | undefined> {
    const res = await this.request(repo.registry, {
      method: 'HEAD',
      path: v2(repo.repository, `blobs/${digest}`),
      scopes: options.scopes ?? [repositoryScope(repo.repository, ['pull'])],
      signal: options.signal,
      followRedirects: true,
    });
    await discardBody(res.body);
    if (res.status === 404) return undefined;
    if (res.status !== 200) return this.fail(`HEAD blob ${repositoryLabel(repo)}@${digest}`, res);
    return { digest, size: Number(headerValue(res.headers['content-length']) ?? Number.NaN) };
  }

  /**
   * Opens a blob for streaming. Redirects are followed (without credentials off the registry's
   * host); a connection that breaks midway is resumed with a `Range` request (or by skipping what
   * was already read when the server ignores ranges). With `verify` (default) the stream fails
   * with `ERR_DIGEST_MISMATCH`/`ERR_SIZE_MISMATCH` at its end when the content is wrong.
   */
  openBlob(repo: RepositoryName, descriptor: Pick<Descriptor, 'digest' | 'size'>, options: CallOptions & { verify?: boolean } = {}): Readable {
    const source = this.blobReader(repo, descriptor, options.signal);
    if (options.verify === false) return source;
    const verifier = new VerifyingStream({ digest: descriptor.digest, size: descriptor.size, what: `blob ${descriptor.digest}` });
    source.on('error', (err) => verifier.destroy(err));
    return source.pipe(verifier);
  }

  /** Reads a whole (small) blob such as a config, verified. */
  async getBlob(repo: RepositoryName, descriptor: Pick<Descriptor, 'digest' | 'size'>, options: CallOptions = {}): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.blobReader(repo, descriptor, options.signal) as AsyncIterable<Buffer>) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    verifyBytes(bytes, { digest: descriptor.digest, size: descriptor.size, what: `blob ${descriptor.digest}` });
    return bytes;
  }

  private blobReader(repo: RepositoryName, descriptor: Pick<Descriptor, 'digest' | 'size'>, signal: AbortSignal | undefined): BlobReader {
    const label = repositoryLabel(repo);
    const what = `GET blob ${label}@${descriptor.digest}`;
    const progress = { direction: 'pull' as const, repository: label, digest: descriptor.digest, transferred: 0, total: descriptor.size };
    this.emit('blob-start', { ...progress });
    const retries = this.transport.retry.retries;
    return new BlobReader({
      what,
      size: descriptor.size,
      signal,
      fetch: (offset) =>
        this.request(repo.registry, {
          method: 'GET',
          path: v2(repo.repository, `blobs/${descriptor.digest}`),
          headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
          scopes: [repositoryScope(repo.repository, ['pull'])],
          signal,
          useMirrors: true,
          followRedirects: true,
        }),
      fail: (res) => this.fail(what, res),
      retryDelay: (attempt, reason, url) => {
        if (attempt > retries) return undefined;
        const delayMs = this.transport.backoff(attempt);
        this.emit('retry', { method: 'GET', url, attempt, delayMs, reason });
        return delayMs;
      },
      onProgress: (received) => {
        progress.transferred = received;
        this.emit('blob-progress', progress);
      },
      onDone: (received) => this.emit('blob-done', { ...progress, transferred: received }),
    });
  }

  /** Deletes a blob from a repository. */
  async deleteBlob(repo: RepositoryName, digest: Digest, options: CallOptions = {}): Promise<void> {
    const res = await this.request(repo.registry, {
      method: 'DELETE',
      path: v2(repo.repository, `blobs/${digest}`),
      scopes: [repositoryScope(repo.repository, ['delete'])],
      signal: options.signal,
    });
    if (res.status !== 202 && res.status !== 200 && res.status !== 204) return this.fail(`DELETE blob ${repositoryLabel(repo)}@${digest}`, res);
    await discardBody(res.body);
  }

  /**
   * Uploads a blob unless the repository already has it: a mount from `mountFrom` when given
   * (falling back to an upload when the registry answers 202), else a monolithic or chunked upload.
   */
  uploadBlob(
    repo: RepositoryName,
    source: UploadSource,
    descriptor: Pick<Descriptor, 'digest' | 'size'>,
    options: UploadOptions & CallOptions & { mountFrom?: string | undefined; skipExisting?: boolean } = {},
  ): Promise<UploadResult> {
    return uploadBlob(this, repo, source, descriptor, { ...this.uploadDefaults, ...options });
  }

  // ---- tags, catalog, referrers ------------------------------------------------------------

  /** Every tag of a repository, following `Link` pagination. */
  async listTags(repo: RepositoryName, options: CallOptions & { pageSize?: number } = {}): Promise<string[]> {
    const path = v2(repo.repository, `tags/list${options.pageSize ? `?n=${options.pageSize}` : ''}`);
    return this.paginate(repo.registry, path, 'tags', [repositoryScope(repo.repository, ['pull'])], `list tags of ${repositoryLabel(repo)}`, options.signal);
  }

  /** Every repository name of a registry (`/v2/_catalog`), following `Link` pagination. */
  async catalog(registry: string, options: CallOptions & { pageSize?: number } = {}): Promise<string[]> {
    const path = `/v2/_catalog${options.pageSize ? `?n=${options.pageSize}` : ''}`;
    return this.paginate(registry, path, 'repositories', ['registry:catalog:*'], `catalog of ${registry}`, options.signal);
  }

  private async paginate(registry: string, first: string, field: string, scopes: string[], what: string, signal: AbortSignal | undefined): Promise<string[]> {
    const all: string[] = [];
    let next: string | URL | undefined = first;
    for (let page = 0; next !== undefined; page++) {
      if (page > 100_000) throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${what}: pagination does not end`);
      const res = await this.request(registry, { method: 'GET', path: next, scopes, signal });
      if (res.status !== 200) return this.fail(what, res);
      const body = JSON.parse((await readBody(res.body)).toString()) as Record<string, unknown>;
      const items = body[field];
      if (Array.isArray(items)) all.push(...items.filter((t): t is string => typeof t === 'string'));
      const link = nextLink(headerValue(res.headers.link));
      next = link ? new URL(link, this.endpoint(registry).base) : undefined;
    }
    return all;
  }

  /**
   * Manifests that refer to `digest` through their `subject` (distribution-spec "Listing
   * Referrers"), optionally of one artifact type. Registries without the API are read through
   * the tag schema: the index tagged `<alg>-<hex>`.
   */
  async referrers(repo: RepositoryName, digest: Digest, options: CallOptions & { artifactType?: string } = {}): Promise<Descriptor[]> {
    const query = options.artifactType ? `?artifactType=${encodeURIComponent(options.artifactType)}` : '';
    const res = await this.request(repo.registry, {
      method: 'GET',
      path: v2(repo.repository, `referrers/${digest}${query}`),
      headers: { accept: OCI.index },
      scopes: [repositoryScope(repo.repository, ['pull'])],
      signal: options.signal,
    });
    let manifests: Descriptor[];
    let filtered = false;
    if (res.status === 200) {
      const index = JSON.parse((await readBody(res.body, MAX_MANIFEST_BYTES)).toString()) as ImageIndex;
      manifests = index.manifests ?? [];
      filtered = headerValue(res.headers['oci-filters-applied'])?.split(',').includes('artifactType') ?? false;
    } else if (res.status === 404 || res.status === 405 || res.status === 400) {
      await discardBody(res.body);
      manifests = (await this.referrersTagIndex(repo, digest, options))?.manifests ?? [];
    } else {
      return this.fail(`list referrers of ${repositoryLabel(repo)}@${digest}`, res);
    }
    return options.artifactType && !filtered ? manifests.filter((m) => m.artifactType === options.artifactType) : manifests;
  }

  private async referrersTagIndex(repo: RepositoryName, digest: Digest, options: CallOptions): Promise<ImageIndex | undefined> {
    try {
      const fetched = await this.getManifest(repo, referrersTag(digest), { ...options, accept: OCI.index });
      return JSON.parse(fetched.bytes.toString()) as ImageIndex;
    } catch (err) {
      if (err instanceof RegistryError && err.code === REGISTRY_ERROR_CODES.notFound) return undefined;
      throw err;
    }
  }

  private async addToReferrersTag(repo: RepositoryName, subject: Descriptor, descriptor: Descriptor, bytes: Uint8Array, options: CallOptions): Promise<void> {
    const index: ImageIndex = (await this.referrersTagIndex(repo, subject.digest, options)) ?? { schemaVersion: 2, mediaType: OCI.index, manifests: [] };
    if (index.manifests.some((m) => m.digest === descriptor.digest)) return;
    const parsed = JSON.parse(Buffer.from(bytes).toString()) as { artifactType?: string; config?: Descriptor; annotations?: Record<string, string> };
    const artifactType = parsed.artifactType ?? parsed.config?.mediaType;
    index.manifests.push({
      ...descriptor,
      ...(artifactType ? { artifactType } : {}),
      ...(parsed.annotations ? { annotations: parsed.annotations } : {}),
    });
    const indexBytes = Buffer.from(JSON.stringify(index));
    await this.putManifest(repo, referrersTag(subject.digest), indexBytes, OCI.index, options);
  }
}

/** The tag-schema tag of a subject's referrers: `sha256-<hex>` (distribution-spec "Referrers Tag Schema"). */
export function referrersTag(digest: Digest): string {
  const { algorithm, hex } = parseDigest(digest);
  return `${algorithm}-${hex}`.slice(0, 128);
}

/** The `rel="next"` target of a `Link` header (RFC 8288), or undefined. */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?next"?/i.test(m[2]!)) return m[1];
  }
  return undefined;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isSchema1(mediaType: string | undefined): boolean {
  return mediaType === DOCKER.manifestV1 || mediaType === DOCKER.manifestV1Signed;
}

function schema1Error(what: string): RegistryError {
  return new RegistryError(REGISTRY_ERROR_CODES.unsupported, `${what}: this is a Docker schema 1 manifest, which oci-kit does not support`, {
    hint: 'schema 1 is deprecated; push the image again with a current tool (it will be written as schema 2 or OCI)',
  });
}

function manifestMediaType(bytes: Buffer, contentType: string | undefined, what: string): string {
  let parsed: { schemaVersion?: unknown; mediaType?: unknown; manifests?: unknown; config?: unknown };
  try {
    parsed = JSON.parse(bytes.toString()) as typeof parsed;
  } catch {
    throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${what}: the manifest is not JSON`);
  }
  const header = contentType?.split(';')[0]?.trim();
  if (parsed.schemaVersion === 1 || isSchema1(header)) throw schema1Error(what);
  if (typeof parsed.mediaType === 'string' && parsed.mediaType) return parsed.mediaType;
  if (header && header !== 'application/json' && header !== 'application/octet-stream') return header;
  return Array.isArray(parsed.manifests) ? OCI.index : OCI.manifest;
}

function manifestDigest(bytes: Buffer, reference: string, header: string | string[] | undefined, what: string): Digest {
  if (reference.includes(':')) {
    verifyBytes(bytes, { digest: reference as Digest, what: `manifest ${reference}` });
    return reference as Digest;
  }
  const answered = headerValue(header);
  const algorithm = answered?.startsWith('sha512:') ? 'sha512' : 'sha256';
  const hasher: Hasher = createHasher(algorithm);
  hasher.update(bytes);
  const digest = hasher.digest();
  if (answered && answered !== digest) throw new DigestMismatchError(answered as Digest, digest, `${what}: manifest`);
  return digest;
}

function createDigest(bytes: Uint8Array): Digest {
  const hasher = createHasher('sha256');
  hasher.update(bytes);
  return hasher.digest();
}

function parseSubject(bytes: Uint8Array): Descriptor | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString()) as { subject?: Descriptor };
    return parsed.subject && typeof parsed.subject.digest === 'string' ? parsed.subject : undefined;
  } catch {
    return undefined;
  }
}

