/**
 * `TestRegistry`: a small OCI distribution-spec v1.1 registry on `node:http`, for tests (ours and
 * users') and for `oci-kit registry serve`. It keeps blobs in any {@link ImageStore} (a
 * {@link MemoryStore} by default, or an {@link OciLayout} to persist them), implements the
 * endpoints of spec.md "Endpoints" (manifests, blobs with ranges, monolithic/chunked/single-POST
 * uploads with status and mount, tags and catalog with `Link` pagination, referrers with
 * `OCI-Subject`), optional Basic or Bearer auth (with its own token endpoint, scopes and refresh
 * tokens, per the Docker token spec), and fault injection (see faults.ts). Close enough to the spec
 * that `skopeo copy` works to and from it.
 *
 * Repository membership (which blobs and manifests a repository holds) is kept in memory; tags are
 * also written to the store as `<repository>:<tag>` so a layout-backed registry serves them again
 * after a restart.
 *
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { digestOf } from '../digest/hasher.js';
import { isDigest, type Digest } from '../digest/digest.js';
import { DOCKER, OCI } from '../image/media-types.js';
import type { Descriptor, ImageIndex } from '../image/types.js';
import type { ImageStore } from '../store/blob-store.js';
import { MemoryStore } from '../store/memory.js';
import { takeFault, type ActiveFault, type Fault, type FaultAction } from './faults.js';
import type { PasswordVerifier } from './htpasswd.js';

/** Users allowed in: a map of user name to password, or a verifier (e.g. from an htpasswd file). */
export type TestUsers = Record<string, string> | PasswordVerifier;

/** Authentication of a {@link TestRegistry}. */
export type TestRegistryAuth =
  | { type: 'basic'; users: TestUsers; realm?: string }
  | {
      type: 'bearer';
      users: TestUsers;
      /** Anonymous clients get `pull` tokens (default false: anonymous tokens grant nothing). */
      anonymousPull?: boolean;
      /** Lifetime of access tokens in seconds (default 300). */
      tokenTtlSeconds?: number;
      service?: string;
    };

/** Options of {@link TestRegistry.start}. */
export interface TestRegistryOptions {
  /** Where blobs, manifests and tags live (default: a new {@link MemoryStore}). */
  store?: ImageStore;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  auth?: TestRegistryAuth;
  /** Requests with a larger body are refused with 413, like registries that cap request size. */
  maxRequestBody?: number;
  /** Advertised `OCI-Chunk-Min-Length` on upload sessions. */
  chunkMinLength?: number;
  /**
   * Answer `Range: 0-0` for an upload session that has received nothing, like the CNCF registry
   * (which sends the same for one byte received); by default the header is left out then.
   */
  emptyUploadRange?: 'omit' | 'zero';
  /** Serve the referrers API (default true); false makes clients use the tag schema. */
  referrersApi?: boolean;
  /** Honour cross-repository mounts (default true); false answers them with a 202 upload session. */
  mount?: boolean;
  /** Honour `Range` on blob GETs (default true). */
  ranges?: boolean;
  /** Accept `POST ?digest=` single-request uploads (default true). */
  singlePost?: boolean;
  faults?: Fault[];
}

/** One logged request. */
export interface LoggedRequest {
  method: string;
  /** Path with query string. */
  path: string;
  status: number;
}

interface Repository {
  blobs: Set<Digest>;
  manifests: Map<Digest, Descriptor & { subject?: Digest }>;
  tags: Map<string, Digest>;
}

interface UploadSession {
  repository: string;
  file: string;
  size: number;
}

interface TokenGrant {
  user: string | undefined;
  access: Set<string>;
  expiresAt: number;
}

const NAME = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const MANIFEST_TYPES = new Set<string>([OCI.manifest, OCI.index, DOCKER.manifest, DOCKER.manifestList]);

/** Thrown inside a handler when a fault dropped the connection: nothing is answered. */
const DROPPED = new Error('connection dropped by fault injection');

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly specCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** An in-process registry. Start with {@link TestRegistry.start}; always {@link TestRegistry.close}. */
export class TestRegistry {
  /** Every request served, in order. */
  readonly requests: LoggedRequest[] = [];
  /** Active fault rules; add more with {@link TestRegistry.inject}. */
  readonly faults: ActiveFault[] = [];
  readonly store: ImageStore;
  private readonly repositories = new Map<string, Repository>();
  private readonly uploads = new Map<string, UploadSession>();
  private readonly tokens = new Map<string, TokenGrant>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly sockets = new Set<Socket>();
  private server!: http.Server;
  private tempDir!: string;
  private address!: AddressInfo;

  private constructor(private readonly options: TestRegistryOptions) {
    this.store = options.store ?? new MemoryStore();
    for (const fault of options.faults ?? []) this.inject(fault);
  }

  /** Starts a registry and resolves once it listens. */
  static async start(options: TestRegistryOptions = {}): Promise<TestRegistry> {
    const registry = new TestRegistry(options);
    await registry.listen();
    return registry;
  }

  /** `127.0.0.1:PORT`: the registry part of references to this registry. */
  get host(): string {
    const host = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `${host}:${this.address.port}`;
  }

  /** `http://127.0.0.1:PORT`. */
  get url(): string {
    return `http://${this.host}`;
  }

  get port(): number {
    return this.address.port;
  }

  /** Adds a fault rule. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, seen: 0, fired: 0 });
  }

  /** Removes every fault rule and clears the request log. */
  reset(): void {
    this.faults.length = 0;
    this.requests.length = 0;
  }

  /** Stops listening, closes every connection and removes temporary upload files. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    await rm(this.tempDir, { recursive: true, force: true });
  }

  /** Repository names, sorted. */
  repositoryNames(): string[] {
    return [...this.repositories.keys()].sort();
  }

  /** The digest a tag points at, or undefined. */
  tagDigest(repository: string, tag: string): Digest | undefined {
    return this.repositories.get(repository)?.tags.get(tag);
  }

  /**
   * Puts content into a repository without any check, as a blob (`corrupt` tests use it to store
   * bytes under a digest they do not have).
   */
  async putRawBlob(repository: string, digest: Digest, bytes: Uint8Array): Promise<void> {
    // MemoryStore and OciLayout verify on put, so store the bytes under their own digest and alias it.
    const actual = await this.store.put(bytes);
    this.aliases.set(digest, actual.digest);
    this.repo(repository).blobs.add(digest);
  }

  private readonly aliases = new Map<Digest, Digest>();

  private async listen(): Promise<void> {
    this.tempDir = await mkdtemp(join(tmpdir(), 'oci-kit-registry-'));
    await this.loadTags();
    this.server = http.createServer((req, res) => {
      // handle() answers its own errors; this only guards against a failure while answering one.
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.keepAliveTimeout = 30_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.address = this.server.address() as AddressInfo;
  }

  /** Rebuilds repository membership from `<repository>:<tag>` tags of the store. */
  private async loadTags(): Promise<void> {
    for (const { name, descriptor } of await this.store.listTags()) {
      const cut = name.lastIndexOf(':');
      const repository = name.slice(0, cut);
      const tag = name.slice(cut + 1);
      if (cut <= 0 || !NAME.test(repository) || !TAG.test(tag)) continue;
      const repo = this.repo(repository);
      repo.tags.set(tag, descriptor.digest);
      await this.adopt(repo, descriptor);
    }
  }

  private async adopt(repo: Repository, descriptor: Descriptor): Promise<void> {
    if (!(await this.store.has(descriptor.digest))) return;
    const bytes = await this.store.get(descriptor.digest);
    const parsed = JSON.parse(bytes.toString()) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[]; subject?: Descriptor };
    repo.manifests.set(descriptor.digest, { mediaType: descriptor.mediaType, digest: descriptor.digest, size: bytes.byteLength });
    for (const child of parsed.manifests ?? []) await this.adopt(repo, child);
    for (const blob of [parsed.config, ...(parsed.layers ?? [])]) if (blob) repo.blobs.add(blob.digest);
  }

  private repo(name: string): Repository {
    let repo = this.repositories.get(name);
    if (!repo) {
      repo = { blobs: new Set(), manifests: new Map(), tags: new Map() };
      this.repositories.set(name, repo);
    }
    return repo;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const socket = req.socket;
    res.on('close', () => this.requests.push({ method, path, status: res.statusCode }));
    res.setHeader('docker-distribution-api-version', 'registry/2.0');
    try {
      const fault = takeFault(this.faults, method, path);
      if (fault && (await this.applyFault(fault, req, res))) return;
      await this.route(req, res, method, new URL(path, 'http://registry'), fault);
    } catch (err) {
      if (res.headersSent || socket.destroyed || err === DROPPED) {
        socket.destroy();
        return;
      }
      if (err instanceof HttpError) {
        for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
        sendError(res, err.status, err.specCode, err.message);
      } else {
        sendError(res, 500, 'UNKNOWN', err instanceof Error ? err.message : String(err));
      }
      // A body the handler did not read would otherwise be parsed as the next request.
      if (!req.complete) req.resume();
    }
  }

  /** Applies a fault; true when the request is fully handled by it. */
  private async applyFault(fault: FaultAction, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (fault.type === 'status') {
      if (fault.retryAfter !== undefined) res.setHeader('retry-after', String(fault.retryAfter));
      req.resume();
      const code = fault.status === 429 ? 'TOOMANYREQUESTS' : fault.status >= 500 ? 'UNAVAILABLE' : 'UNKNOWN';
      sendError(res, fault.status, code, 'injected fault');
      return true;
    }
    if (fault.type === 'drop') {
      req.socket?.destroy();
      return true;
    }
    return false;
  }

  private async route(req: IncomingMessage, res: ServerResponse, method: string, url: URL, fault: FaultAction | undefined): Promise<void> {
    const p = url.pathname;
    if (p === '/token') return this.tokenEndpoint(req, res, url);
    if (p === '/v2/' || p === '/v2') {
      await this.authorize(req, undefined, []);
      req.resume();
      return sendJson(res, 200, {});
    }
    if (p === '/v2/_catalog') {
      await this.authorize(req, undefined, ['registry:catalog:*']);
      req.resume();
      return this.paginate(res, url, '/v2/_catalog', 'repositories', this.repositoryNames(), {});
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(p))) return this.startUpload(req, res, checkName(m[1]!), url);
    if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(p))) return this.upload(req, res, method, checkName(m[1]!), m[2]!, url, fault);
    if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(p))) return this.blob(req, res, method, checkName(m[1]!), m[2]!, fault);
    if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(p))) return this.manifest(req, res, method, checkName(m[1]!), m[2]!);
    if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(p))) {
      const name = checkName(m[1]!);
      await this.authorize(req, name, [`repository:${name}:pull`]);
      req.resume();
      const repo = this.repositories.get(name);
      if (!repo) throw new HttpError(404, 'NAME_UNKNOWN', `repository ${name} is not known`);
      return this.paginate(res, url, `/v2/${name}/tags/list`, 'tags', [...repo.tags.keys()].sort(), { name });
    }
    if ((m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(p)) && this.options.referrersApi !== false) {
      const name = checkName(m[1]!);
      await this.authorize(req, name, [`repository:${name}:pull`]);
      req.resume();
      return this.referrers(res, name, checkDigest(m[2]!), url.searchParams.get('artifactType'));
    }
    req.resume();
    throw new HttpError(404, 'UNSUPPORTED', `no route for ${method} ${p}`);
  }

  // ---- auth -------------------------------------------------------------------------------------

  private async checkUser(users: TestUsers, user: string, password: string): Promise<boolean> {
    if (typeof users === 'function') return users(user, password);
    return Object.hasOwn(users, user) && users[user] === password;
  }

  private async basicUser(req: IncomingMessage, users: TestUsers): Promise<string | undefined | false> {
    const header = req.headers.authorization;
    if (!header?.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const user = decoded.slice(0, colon);
    return (await this.checkUser(users, user, decoded.slice(colon + 1))) ? user : false;
  }

  /** Throws 401 unless the request may perform `needed` (scope strings). */
  private async authorize(req: IncomingMessage, _repository: string | undefined, needed: string[]): Promise<void> {
    const auth = this.options.auth;
    if (!auth) return;
    if (auth.type === 'basic') {
      const user = await this.basicUser(req, auth.users);
      if (user) return;
      throw new HttpError(401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': `Basic realm="${auth.realm ?? 'oci-kit-test'}"` });
    }
    const header = req.headers.authorization;
    const grant = header?.startsWith('Bearer ') ? this.tokens.get(header.slice(7)) : undefined;
    const valid = grant !== undefined && grant.expiresAt > Date.now();
    const missing = needed.filter((scope) => !grantCovers(grant?.access, scope));
    if (valid && missing.length === 0) return;
    const scope = needed.length ? `,scope="${needed.join(' ')}"` : '';
    const error = valid ? ',error="insufficient_scope"' : header ? ',error="invalid_token"' : '';
    throw new HttpError(401, valid ? 'DENIED' : 'UNAUTHORIZED', valid ? 'insufficient scope' : 'authentication required', {
      'www-authenticate': `Bearer realm="${this.url}/token",service="${auth.service ?? 'oci-kit-test'}"${scope}${error}`,
    });
  }

  private async tokenEndpoint(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const auth = this.options.auth;
    if (auth?.type !== 'bearer') {
      req.resume();
      throw new HttpError(404, 'UNSUPPORTED', 'this registry has no token service');
    }
    let user: string | undefined;
    let scopes: string[];
    let issueRefresh = false;
    if (req.method === 'POST') {
      const form = new URLSearchParams((await readAll(req, 64 * 1024)).toString());
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const grantType = form.get('grant_type');
      if (grantType === 'refresh_token') {
        user = this.refreshTokens.get(form.get('refresh_token') ?? '');
        if (!user) return sendJson(res, 401, { error: 'invalid_grant' });
      } else if (grantType === 'password') {
        const name = form.get('username') ?? '';
        if (!(await this.checkUser(auth.users, name, form.get('password') ?? ''))) return sendJson(res, 401, { error: 'invalid_grant' });
        user = name;
      } else return sendJson(res, 400, { error: 'unsupported_grant_type' });
      issueRefresh = form.get('access_type') === 'offline';
    } else {
      req.resume();
      scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
      const basic = await this.basicUser(req, auth.users);
      if (basic === false) {
        res.setHeader('www-authenticate', `Basic realm="${this.url}/token"`);
        return sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'wrong user name or password' }] });
      }
      user = basic;
      issueRefresh = user !== undefined && url.searchParams.get('offline_token') === 'true';
    }
    const access = new Set<string>();
    for (const scope of scopes) {
      const cut = scope.lastIndexOf(':');
      const resource = scope.slice(0, cut);
      for (const action of scope.slice(cut + 1).split(',')) {
        if (user !== undefined || (auth.anonymousPull && action === 'pull')) access.add(`${resource}:${action}`);
      }
    }
    const token = randomBytes(24).toString('hex');
    const ttl = auth.tokenTtlSeconds ?? 300;
    this.tokens.set(token, { user, access, expiresAt: Date.now() + ttl * 1000 });
    const body: Record<string, unknown> = { token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() };
    if (issueRefresh && user !== undefined) {
      const refresh = randomBytes(24).toString('hex');
      this.refreshTokens.set(refresh, user);
      body.refresh_token = refresh;
    }
    sendJson(res, 200, body);
  }

  // ---- blobs ------------------------------------------------------------------------------------

  private async blob(req: IncomingMessage, res: ServerResponse, method: string, name: string, reference: string, fault: FaultAction | undefined): Promise<void> {
    const digest = checkDigest(reference);
    if (method === 'DELETE') {
      await this.authorize(req, name, [`repository:${name}:delete`]);
      req.resume();
      const repo = this.repositories.get(name);
      if (!repo?.blobs.delete(digest)) throw new HttpError(404, 'BLOB_UNKNOWN', `blob ${digest} is not in ${name}`);
      res.writeHead(202, { 'content-length': '0' }).end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'UNSUPPORTED', `${method} on a blob`);
    await this.authorize(req, name, [`repository:${name}:pull`]);
    req.resume();
    const stored = this.aliases.get(digest) ?? digest;
    const info = this.repositories.get(name)?.blobs.has(digest) ? await this.store.stat(stored) : undefined;
    if (!info) throw new HttpError(404, 'BLOB_UNKNOWN', `blob ${digest} is not in ${name}`);
    const headers: Record<string, string> = { 'docker-content-digest': digest, 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
    let start = 0;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    let status = 200;
    if (range && this.options.ranges !== false) {
      start = Number(range[1]);
      if (start >= info.size && info.size > 0) throw new HttpError(416, 'BLOB_UNKNOWN', 'range not satisfiable', { 'content-range': `bytes */${info.size}` });
      status = 206;
      headers['content-range'] = `bytes ${start}-${info.size - 1}/${info.size}`;
    }
    headers['content-length'] = String(info.size - start);
    res.writeHead(status, headers);
    if (method === 'HEAD') {
      res.end();
      return;
    }
    const source = await this.store.open(stored);
    const socket = req.socket;
    let position = 0;
    let budget = fault?.type === 'drop-mid-body' ? fault.afterBytes : Number.POSITIVE_INFINITY;
    let corrupt = fault?.type === 'corrupt';
    const window = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        const from = Math.max(0, start - position);
        position += chunk.byteLength;
        let data = from >= chunk.byteLength ? Buffer.alloc(0) : chunk.subarray(from);
        if (corrupt && data.byteLength > 0) {
          data = Buffer.from(data);
          data[0] = data[0]! ^ 0xff;
          corrupt = false;
        }
        if (budget === 0) {
          callback();
          return;
        }
        if (data.byteLength >= budget) {
          this.push(data.subarray(0, budget));
          budget = 0;
          // Let the partial body leave, then close the connection before the promised length.
          socket?.end();
          callback();
          return;
        }
        budget -= data.byteLength;
        callback(null, data);
      },
    });
    await pipeline(source, window, res).catch(() => undefined);
  }

  private async startUpload(req: IncomingMessage, res: ServerResponse, name: string, url: URL): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, 'UNSUPPORTED', 'uploads start with POST');
    const mount = url.searchParams.get('mount');
    const from = url.searchParams.get('from');
    const digest = url.searchParams.get('digest');
    await this.authorize(req, name, [`repository:${name}:pull`, `repository:${name}:push`]);
    this.checkBodyLimit(req);
    if (mount && from && this.options.mount !== false && isDigest(mount)) {
      const allowed = await this.authorize(req, from, [`repository:${from}:pull`]).then(
        () => true,
        () => false,
      );
      if (allowed && this.repositories.get(from)?.blobs.has(mount)) {
        req.resume();
        this.repo(name).blobs.add(mount);
        res.writeHead(201, { location: `/v2/${name}/blobs/${mount}`, 'docker-content-digest': mount, 'content-length': '0' }).end();
        return;
      }
    }
    const id = randomUUID();
    const session: UploadSession = { repository: name, file: join(this.tempDir, id), size: 0 };
    this.uploads.set(id, session);
    if (digest && this.options.singlePost !== false && Number(req.headers['content-length'] ?? 0) > 0) {
      await this.appendBody(req, session, undefined);
      return this.finish(res, id, session, checkDigest(digest));
    }
    req.resume();
    await new Promise<void>((resolve, reject) => createWriteStream(session.file).on('error', reject).end(resolve));
    const headers: Record<string, string> = {
      location: `/v2/${name}/blobs/uploads/${id}`,
      range: '0-0',
      'docker-upload-uuid': id,
      'content-length': '0',
    };
    if (this.options.chunkMinLength) headers['oci-chunk-min-length'] = String(this.options.chunkMinLength);
    res.writeHead(202, headers).end();
  }

  private checkBodyLimit(req: IncomingMessage): void {
    const limit = this.options.maxRequestBody;
    const length = Number(req.headers['content-length'] ?? 0);
    if (limit !== undefined && length > limit) {
      throw new HttpError(413, 'SIZE_INVALID', `request body of ${length} bytes exceeds the limit of ${limit}`, { connection: 'close' });
    }
  }

  private async appendBody(req: IncomingMessage, session: UploadSession, fault: FaultAction | undefined): Promise<void> {
    const out = createWriteStream(session.file, { flags: 'a' });
    const socket = req.socket;
    const limit = this.options.maxRequestBody;
    let budget = fault?.type === 'drop-mid-body' ? fault.afterBytes : Number.POSITIVE_INFINITY;
    let seen = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        seen += chunk.byteLength;
        if (limit !== undefined && seen > limit) {
          callback(new HttpError(413, 'SIZE_INVALID', `request body exceeds the limit of ${limit}`));
          return;
        }
        if (chunk.byteLength >= budget) {
          // Keep what "arrived", then break the connection.
          this.push(chunk.subarray(0, budget));
          budget = 0;
          callback(DROPPED);
          return;
        }
        budget -= chunk.byteLength;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(req, counter, out);
    } catch (err) {
      session.size = (await stat(session.file)).size;
      if (err === DROPPED) {
        socket.destroy();
        throw err;
      }
      throw err instanceof HttpError ? err : new HttpError(400, 'BLOB_UPLOAD_INVALID', (err as Error).message);
    }
    session.size = (await stat(session.file)).size;
  }

  private async upload(req: IncomingMessage, res: ServerResponse, method: string, name: string, id: string, url: URL, fault: FaultAction | undefined): Promise<void> {
    await this.authorize(req, name, [`repository:${name}:pull`, `repository:${name}:push`]);
    const session = this.uploads.get(id);
    if (!session || session.repository !== name) {
      req.resume();
      throw new HttpError(404, 'BLOB_UPLOAD_UNKNOWN', `upload ${id} is not known`);
    }
    const location = `/v2/${name}/blobs/uploads/${id}`;
    // distribution-spec: `Range: 0-<end-of-range>` (inclusive); with nothing received there is no
    // last byte, so the header is left out rather than sent as the ambiguous `0-0`.
    const emptyRange: Record<string, string> = this.options.emptyUploadRange === 'zero' ? { range: '0-0' } : {};
    const rangeHeader = (): Record<string, string> => (session.size > 0 ? { range: `0-${session.size - 1}` } : emptyRange);
    if (method === 'GET') {
      req.resume();
      res.writeHead(204, { location, ...rangeHeader(), 'docker-upload-uuid': id, 'content-length': '0' }).end();
      return;
    }
    if (method === 'DELETE') {
      req.resume();
      this.uploads.delete(id);
      await rm(session.file, { force: true });
      res.writeHead(204).end();
      return;
    }
    this.checkBodyLimit(req);
    if (method === 'PATCH') {
      const contentRange = req.headers['content-range'];
      if (contentRange) {
        const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(contentRange);
        if (!m || Number(m[1]) !== session.size) {
          req.resume();
          throw new HttpError(416, 'BLOB_UPLOAD_INVALID', `chunk starts at ${m?.[1]}, upload is at ${session.size}`, { location, ...rangeHeader() });
        }
        const length = Number(req.headers['content-length']);
        if (this.options.chunkMinLength && length < this.options.chunkMinLength && Number(m[2]) - Number(m[1]) + 1 !== length) {
          req.resume();
          throw new HttpError(416, 'SIZE_INVALID', 'chunk range and length disagree');
        }
      }
      await this.appendBody(req, session, fault);
      res.writeHead(202, { location, ...rangeHeader(), 'docker-upload-uuid': id, 'content-length': '0' }).end();
      return;
    }
    if (method === 'PUT') {
      const digest = url.searchParams.get('digest');
      if (!digest) {
        req.resume();
        throw new HttpError(400, 'DIGEST_INVALID', 'PUT without ?digest=');
      }
      await this.appendBody(req, session, fault);
      return this.finish(res, id, session, checkDigest(digest));
    }
    req.resume();
    throw new HttpError(405, 'UNSUPPORTED', `${method} on an upload`);
  }

  private async finish(res: ServerResponse, id: string, session: UploadSession, digest: Digest): Promise<void> {
    this.uploads.delete(id);
    try {
      await this.store.put(createReadStream(session.file), { digest });
    } catch (err) {
      throw new HttpError(400, 'DIGEST_INVALID', `upload does not match ${digest}: ${(err as Error).message}`);
    } finally {
      await rm(session.file, { force: true });
    }
    this.repo(session.repository).blobs.add(digest);
    res.writeHead(201, { location: `/v2/${session.repository}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': '0' }).end();
  }

  // ---- manifests ----------------------------------------------------------------------------------

  private async manifest(req: IncomingMessage, res: ServerResponse, method: string, name: string, reference: string): Promise<void> {
    const byDigest = reference.includes(':');
    if (byDigest) checkDigest(reference);
    else if (!TAG.test(reference)) throw new HttpError(400, 'TAG_INVALID', `invalid tag ${reference}`);
    if (method === 'GET' || method === 'HEAD') {
      await this.authorize(req, name, [`repository:${name}:pull`]);
      req.resume();
      const repo = this.repositories.get(name);
      const digest = byDigest ? (reference as Digest) : repo?.tags.get(reference);
      const entry = digest ? repo?.manifests.get(digest) : undefined;
      if (!digest || !entry) throw new HttpError(404, 'MANIFEST_UNKNOWN', `manifest ${reference} is not in ${name}`);
      const bytes = await this.store.get(digest);
      res.writeHead(200, { 'content-type': entry.mediaType, 'docker-content-digest': digest, 'content-length': String(bytes.byteLength) });
      res.end(method === 'HEAD' ? undefined : bytes);
      return;
    }
    if (method === 'DELETE') {
      await this.authorize(req, name, [`repository:${name}:delete`]);
      req.resume();
      const repo = this.repositories.get(name);
      const digest = byDigest ? (reference as Digest) : repo?.tags.get(reference);
      if (!repo || !digest || !repo.manifests.has(digest)) throw new HttpError(404, 'MANIFEST_UNKNOWN', `manifest ${reference} is not in ${name}`);
      if (byDigest) {
        repo.manifests.delete(digest);
        for (const [tag, target] of repo.tags) if (target === digest) await this.untag(name, repo, tag);
      } else await this.untag(name, repo, reference);
      res.writeHead(202, { 'content-length': '0' }).end();
      return;
    }
    if (method !== 'PUT') throw new HttpError(405, 'UNSUPPORTED', `${method} on a manifest`);
    await this.authorize(req, name, [`repository:${name}:pull`, `repository:${name}:push`]);
    this.checkBodyLimit(req);
    const bytes = await readAll(req, 4 * 1024 * 1024);
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    let parsed: { schemaVersion?: number; mediaType?: string; manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[]; subject?: Descriptor; artifactType?: string; annotations?: Record<string, string> };
    try {
      parsed = JSON.parse(bytes.toString()) as typeof parsed;
    } catch {
      throw new HttpError(400, 'MANIFEST_INVALID', 'manifest is not JSON');
    }
    const type = mediaType || parsed.mediaType || '';
    if (!MANIFEST_TYPES.has(type) || parsed.schemaVersion !== 2) throw new HttpError(400, 'MANIFEST_INVALID', `unsupported manifest media type "${type}"`);
    if (parsed.mediaType && parsed.mediaType !== type) throw new HttpError(400, 'MANIFEST_INVALID', 'Content-Type and mediaType differ');
    const digest = digestOf(bytes);
    if (byDigest && reference !== digest) throw new HttpError(400, 'DIGEST_INVALID', `manifest digest is ${digest}, not ${reference}`);
    const repo = this.repo(name);
    for (const child of parsed.manifests ?? []) {
      if (!repo.manifests.has(child.digest)) throw new HttpError(400, 'MANIFEST_BLOB_UNKNOWN', `manifest ${child.digest} is not in ${name}`);
    }
    for (const blob of [parsed.config, ...(parsed.layers ?? [])]) {
      if (blob && !blob.urls?.length && !repo.blobs.has(blob.digest)) throw new HttpError(400, 'MANIFEST_BLOB_UNKNOWN', `blob ${blob.digest} is not in ${name}`);
    }
    await this.store.put(bytes, { digest });
    const descriptor: Descriptor & { subject?: Digest } = { mediaType: type, digest, size: bytes.byteLength };
    const artifactType = parsed.artifactType ?? (parsed.config?.mediaType !== OCI.config ? parsed.config?.mediaType : undefined);
    if (artifactType) descriptor.artifactType = artifactType;
    if (parsed.annotations) descriptor.annotations = parsed.annotations;
    if (parsed.subject?.digest) descriptor.subject = parsed.subject.digest;
    repo.manifests.set(digest, descriptor);
    if (!byDigest) {
      repo.tags.set(reference, digest);
      await this.store.setTag(`${name}:${reference}`, { mediaType: type, digest, size: bytes.byteLength });
    }
    const headers: Record<string, string> = { location: `/v2/${name}/manifests/${digest}`, 'docker-content-digest': digest, 'content-length': '0' };
    if (parsed.subject?.digest && this.options.referrersApi !== false) headers['oci-subject'] = parsed.subject.digest;
    res.writeHead(201, headers).end();
  }

  private async untag(name: string, repo: Repository, tag: string): Promise<void> {
    repo.tags.delete(tag);
    await this.store.removeTag(`${name}:${tag}`);
  }

  private referrers(res: ServerResponse, name: string, digest: Digest, artifactType: string | null): void {
    const repo = this.repositories.get(name);
    const manifests: Descriptor[] = [];
    for (const entry of repo?.manifests.values() ?? []) {
      if (entry.subject !== digest) continue;
      if (artifactType && entry.artifactType !== artifactType) continue;
      const { subject: _subject, ...descriptor } = entry;
      manifests.push(descriptor);
    }
    const index: ImageIndex = { schemaVersion: 2, mediaType: OCI.index, manifests };
    if (artifactType) res.setHeader('oci-filters-applied', 'artifactType');
    const body = Buffer.from(JSON.stringify(index));
    res.writeHead(200, { 'content-type': OCI.index, 'content-length': String(body.byteLength) }).end(body);
  }

  private paginate(res: ServerResponse, url: URL, path: string, field: string, items: string[], extra: Record<string, string>): void {
    const n = url.searchParams.get('n');
    const last = url.searchParams.get('last');
    let page = last ? items.filter((t) => t > last) : items;
    if (n !== null) {
      const limit = Math.max(0, Number(n));
      if (page.length > limit) {
        page = page.slice(0, limit);
        const next = `${path}?n=${limit}&last=${encodeURIComponent(page[page.length - 1] ?? '')}`;
        res.setHeader('link', `<${next}>; rel="next"`);
      }
    }
    sendJson(res, 200, { ...extra, [field]: page });
  }
}

function grantCovers(access: Set<string> | undefined, scope: string): boolean {
  if (!access) return false;
  const cut = scope.lastIndexOf(':');
  const resource = scope.slice(0, cut);
  return scope
    .slice(cut + 1)
    .split(',')
    .every((action) => access.has(`${resource}:${action}`) || access.has(`${resource}:*`));
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new HttpError(400, 'NAME_INVALID', `invalid repository name ${name}`);
  return name;
}

function checkDigest(value: string): Digest {
  if (!isDigest(value)) throw new HttpError(400, 'DIGEST_INVALID', `invalid digest ${value}`);
  return value;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.byteLength) }).end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ code, message }] });
}

async function readAll(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) throw new HttpError(413, 'SIZE_INVALID', `body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

