/**
 * The HTTP layer under the registry client: which URL a registry name maps to (HTTPS by default;
 * plain HTTP for loopback and insecure registries, as Docker does; `docker.io` served by
 * `registry-1.docker.io`), one request over `node:http`/`node:https` with keep-alive agents, a
 * connection limit, an idle timeout and AbortSignal support, redirects (credentials are dropped when
 * a redirect leaves the host), and retries with exponential backoff on 429, 5xx and connection
 * failures honouring `Retry-After` up to a bound.
 *
 * node:http is used rather than `fetch` because blob bodies stay Node streams end to end (no
 * web-stream bridging on the data path) and redirects must be handled by hand anyway.
 *
 * @module
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { OciKitError } from '../errors.js';
import { REGISTRY_ERROR_CODES, RegistryError } from './errors.js';

/** Where requests for a registry go. */
export interface Endpoint {
  /** The registry name as written in references (`docker.io`, `localhost:5000`). */
  registry: string;
  /** `https://registry-1.docker.io`, `http://127.0.0.1:5000`. No trailing slash. */
  base: string;
}

/** The host serving Docker Hub's registry API. */
export const DOCKER_HUB_HOST = 'registry-1.docker.io';

/** True for `localhost`, 127.0.0.0/8 and ::1, with or without a port. */
export function isLoopback(registry: string): boolean {
  const host = hostOf(registry);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host name of `host[:port]` or `[v6]:port`, without brackets or port. */
export function hostOf(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  if (isIP(registry) === 6) return registry;
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

/**
 * The base URL for `registry`. Plain HTTP is used for loopback registries and those listed in
 * `insecure` (names with or without port); everything else is HTTPS.
 */
export function resolveEndpoint(registry: string, insecure: readonly string[] = []): Endpoint {
  const host = registry === 'docker.io' || registry === 'index.docker.io' ? DOCKER_HUB_HOST : registry;
  const plain = isLoopback(host) || insecure.includes(registry) || insecure.includes(hostOf(registry));
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  return { registry, base: `${plain ? 'http' : 'https'}://${bracketed}` };
}

/** A request body: bytes, or a function that opens a fresh stream each time (so retries can replay it). */
export type RequestBody = Uint8Array | (() => Readable | Promise<Readable>);

/** One HTTP request. */
export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody | undefined;
  signal?: AbortSignal | undefined;
  /** Follow 3xx answers (GET/HEAD only); Authorization is dropped when the target is another host. */
  followRedirects?: boolean;
}

/** A response whose body has not been read yet. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  url: URL;
  body: IncomingMessage;
}

/** How requests are retried. */
export interface RetryOptions {
  /** Attempts after the first (default 4). */
  retries?: number;
  /** First backoff delay in ms, doubled each attempt, with jitter (default 250). */
  baseDelayMs?: number;
  /** Upper bound of any delay, including one asked for by `Retry-After` (default 30,000). */
  maxDelayMs?: number;
}

/** Options of a {@link Transport}. */
export interface TransportOptions {
  /** Idle timeout of a connection in ms: no byte for this long fails the request (default 60,000). */
  timeoutMs?: number;
  /** Most sockets open to one host at once (default 16). */
  maxConnections?: number;
  retry?: RetryOptions;
  userAgent?: string;
}

/** What is reported before each retry. */
export interface RetryInfo {
  method: string;
  /** The URL without query string. */
  url: string;
  attempt: number;
  delayMs: number;
  reason: string;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const RETRY_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** Reads a whole (small) response body. */
export async function readBody(res: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) {
      res.destroy();
      throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `response body larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Drains and discards a body so the keep-alive socket can be reused. */
export async function discardBody(res: IncomingMessage): Promise<void> {
  if (res.readableEnded) return;
  try {
    for await (const _ of res as AsyncIterable<Buffer>) void _;
  } catch {
    // A body that fails while being thrown away changes nothing.
  }
}

/** True when an error is a transient network failure worth retrying. */
export function isTransientNetworkError(err: unknown): boolean {
  if (err instanceof RegistryError) return err.code === REGISTRY_ERROR_CODES.network || err.code === REGISTRY_ERROR_CODES.timeout;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRY_ERROR_CODES.has(code)) return true;
  return err instanceof Error && /socket hang up|premature close|aborted/i.test(err.message) && err.name !== 'AbortError';
}

/** Delay asked for by a `Retry-After` header (seconds or an HTTP date), in ms, or undefined. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Shows a URL without query string or user info, for messages. */
export function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Keep-alive HTTP(S) with timeouts, redirects and retries. */
export class Transport {
  readonly retry: Required<RetryOptions>;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(options: TransportOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.userAgent = options.userAgent ?? 'oci-kit';
    this.retry = {
      retries: options.retry?.retries ?? 4,
      baseDelayMs: options.retry?.baseDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    };
    const maxSockets = options.maxConnections ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** One request, following redirects when asked; no retries. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    let url = request.url;
    let headers = { ...request.headers };
    for (let hop = 0; ; hop++) {
      const res = await this.sendOnce({ ...request, url, headers });
      const location = res.headers.location;
      if (!request.followRedirects || !REDIRECTS.has(res.status) || !location) return res;
      await discardBody(res.body);
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `too many redirects from ${safeUrl(request.url)}`);
      }
      const next = new URL(location, url);
      if (next.host !== url.host || next.protocol !== url.protocol) {
        // A redirect to a CDN or object store must never carry the registry's credentials.
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
      }
      url = next;
    }
  }

  /**
   * A request retried on 429/5xx and transient network errors, with backoff and `Retry-After`.
   * Bodies are replayed from bytes or by calling the body function again.
   */
  async sendWithRetry(request: HttpRequest, onRetry?: (info: RetryInfo) => void): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let askedDelay: number | undefined;
      try {
        const res = await this.send(request);
        if (!RETRY_STATUSES.has(res.status) || attempt > this.retry.retries) return res;
        reason = `HTTP ${res.status}`;
        askedDelay = retryAfterMs(res.headers['retry-after']);
        await discardBody(res.body);
      } catch (err) {
        if (request.signal?.aborted || !isTransientNetworkError(err) || attempt > this.retry.retries) throw err;
        reason = (err as Error).message;
      }
      const delayMs = this.backoff(attempt, askedDelay);
      onRetry?.({ method: request.method, url: safeUrl(request.url), attempt, delayMs, reason });
      await sleep(delayMs, undefined, request.signal ? { signal: request.signal } : undefined);
    }
  }

  /** The delay before retry number `attempt`: `Retry-After` when given, else exponential with jitter; bounded. */
  backoff(attempt: number, askedMs?: number): number {
    const exponential = this.retry.baseDelayMs * 2 ** (attempt - 1);
    const wanted = askedMs ?? exponential * (0.75 + Math.random() * 0.5);
    return Math.round(Math.min(wanted, this.retry.maxDelayMs));
  }

  private async sendOnce(request: HttpRequest): Promise<HttpResponse> {
    const { url } = request;
    const secure = url.protocol === 'https:';
    const headers: Record<string, string | number> = { 'user-agent': this.userAgent, ...request.headers };
    let bodyStream: Readable | undefined;
    if (request.body instanceof Uint8Array) headers['content-length'] = request.body.byteLength;
    else if (request.body) bodyStream = await request.body();
    else if (request.method === 'PUT' || request.method === 'POST' || request.method === 'PATCH') headers['content-length'] = 0;
    const requester = secure ? https.request : http.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        bodyStream?.destroy();
        reject(toNetworkError(err, request));
      };
      const req = requester(url, {
        method: request.method,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(new RegistryError(REGISTRY_ERROR_CODES.timeout, `${request.method} ${safeUrl(url)}: no data for ${this.timeoutMs} ms`));
      });
      req.on('error', fail);
      req.on('response', (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        // Errors while the body streams reach whoever reads it.
        resolve({ status: res.statusCode ?? 0, headers: res.headers, url, body: res });
      });
      if (request.body instanceof Uint8Array) req.end(request.body);
      else if (bodyStream) {
        bodyStream.on('error', (err) => req.destroy(err));
        bodyStream.pipe(req);
      } else req.end();
    });
  }
}

function toNetworkError(err: unknown, request: HttpRequest): unknown {
  if (err instanceof OciKitError) return err;
  if ((err as Error | null)?.name === 'AbortError') return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string } | null)?.code;
  return new RegistryError(REGISTRY_ERROR_CODES.network, `${request.method} ${safeUrl(request.url)}: ${message}`, {
    cause: err,
    ...(code === 'ECONNREFUSED' ? { hint: 'is the registry running, and is the host and port right?' } : {}),
  });
}
