/**
 * Registry authentication: the `WWW-Authenticate` challenge flow of the distribution-spec and the
 * Docker token specification (docker/distribution docs/spec/auth/token.md, oauth.md, scope.md).
 *
 * Bearer: the token endpoint named by the challenge's `realm` is asked for a token for `service` and
 * the needed `scope`s, anonymously or with Basic credentials (GET), or with a refresh token (OAuth2
 * POST, `grant_type=refresh_token`) when the user has an identity token or an earlier answer
 * handed one back. Tokens are cached per registry and scope set until they expire. Scopes are
 * widened (pull -> pull,push, plus `pull` on a mount source) by asking for the union.
 * Basic: the credentials are sent as they are. Nothing here ever puts a secret in an error message.
 *
 * @module
 */
import { REGISTRY_ERROR_CODES, RegistryError, errorFromResponse } from './errors.js';
import { hostOf, isLoopback, readBody, safeUrl, type Endpoint, type Transport, type RetryInfo } from './transport.js';

/** Credentials for one registry. */
export type Credentials =
  | { username: string; password: string }
  /** An OAuth2 refresh token (Docker's `identitytoken`). */
  | { identityToken: string }
  /** A ready bearer token sent as it is (Docker's `registrytoken`). */
  | { registryToken: string };

/** Finds the credentials of a registry (e.g. from the Docker config); undefined for anonymous access. */
export type CredentialProvider = (registry: string) => Promise<Credentials | undefined> | Credentials | undefined;

/** One parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  /** Lower-case scheme: `bearer`, `basic`, ... */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235): one or more challenges, each a scheme followed by
 * comma-separated `key=value` or `key="quoted value"` parameters.
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(', ') : header;
  const challenges: Challenge[] = [];
  const token = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)/y;
  const param = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?/y;
  let pos = 0;
  while (pos < text.length) {
    token.lastIndex = pos;
    const scheme = token.exec(text);
    if (!scheme) break;
    pos = token.lastIndex;
    const challenge: Challenge = { scheme: scheme[1]!.toLowerCase(), params: {} };
    for (;;) {
      param.lastIndex = pos;
      const m = param.exec(text);
      if (!m) break;
      // A bare token followed by "=" is a parameter; a bare token without "=" starts the next challenge.
      challenge.params[m[1]!.toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!;
      pos = param.lastIndex;
    }
    challenges.push(challenge);
    while (pos < text.length && (text[pos] === ',' || text[pos] === ' ')) pos++;
  }
  return challenges;
}

/** `repository:NAME:pull` for a repository and actions. */
export function repositoryScope(repository: string, actions: readonly string[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

/**
 * The union of scopes: same resource's actions merged (`repository:a:pull` + `repository:a:push` ->
 * `repository:a:pull,push`), sorted so equal sets give equal cache keys.
 */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const one of scope.split(' ')) {
      if (!one) continue;
      const cut = one.lastIndexOf(':');
      if (cut === -1) continue;
      const resource = one.slice(0, cut);
      const actions = byResource.get(resource) ?? new Set<string>();
      for (const action of one.slice(cut + 1).split(',')) if (action) actions.add(action);
      byResource.set(resource, actions);
    }
  }
  return [...byResource.entries()].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`).sort();
}

/** True when every action of `needed` is granted by `granted`. */
export function scopesCover(granted: readonly string[], needed: readonly string[]): boolean {
  const have = new Set(mergeScopes(granted).flatMap(expand));
  return mergeScopes(needed).flatMap(expand).every((s) => have.has(s) || have.has(s.replace(/:[^:]+$/, ':*')));
}

function expand(scope: string): string[] {
  const cut = scope.lastIndexOf(':');
  return scope.slice(cut + 1).split(',').map((a) => `${scope.slice(0, cut)}:${a}`);
}

interface CachedToken {
  token: string;
  scopes: string[];
  expiresAt: number;
}

interface RegistryAuthState {
  challenge?: Challenge;
  credentials?: Credentials | undefined;
  credentialsLoaded?: boolean;
  refreshToken?: string;
  tokens: CachedToken[];
  pending: Map<string, Promise<CachedToken>>;
}

/** Authorization for one client: challenges seen, credentials looked up once, tokens cached per scope. */
export class Authenticator {
  private readonly state = new Map<string, RegistryAuthState>();

  constructor(
    private readonly transport: Transport,
    private readonly provider: CredentialProvider | undefined,
    private readonly onRetry?: (info: RetryInfo) => void,
    /** Hosts (with or without port) where plain HTTP is allowed, as for registries. */
    private readonly insecure: readonly string[] = [],
  ) {}

  /** True once the registry's challenge is known (a ping or a 401 has been seen). */
  knowsChallenge(registry: string): boolean {
    return this.stateOf(registry).challenge !== undefined;
  }

  /** Records that the registry needs no authorization. */
  markOpen(registry: string): void {
    this.stateOf(registry).challenge = { scheme: 'none', params: {} };
  }

  /** Forgets cached tokens (after a 401 with a token the registry no longer accepts). */
  forgetTokens(registry: string): void {
    this.stateOf(registry).tokens = [];
  }

  /**
   * Learns the challenge of a 401 answer. Returns false when there is nothing new to try (the
   * scheme is unknown, or Basic without credentials).
   */
  async learn(endpoint: Endpoint, header: string | string[] | undefined): Promise<boolean> {
    const challenges = parseChallenges(header);
    const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!chosen) return false;
    const state = this.stateOf(endpoint.registry);
    state.challenge = chosen;
    if (chosen.scheme === 'basic') return (await this.credentialsOf(endpoint.registry)) !== undefined;
    return true;
  }

  /** The scope a challenge says it wants (`scope` parameter), if any. */
  challengeScopes(registry: string): string[] {
    const scope = this.stateOf(registry).challenge?.params.scope;
    return scope ? scope.split(' ') : [];
  }

  /** The `Authorization` header for a request needing `scopes`, or undefined for none. */
  async authorization(endpoint: Endpoint, scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const state = this.stateOf(endpoint.registry);
    const challenge = state.challenge;
    if (!challenge || challenge.scheme === 'none') return undefined;
    const credentials = await this.credentialsOf(endpoint.registry);
    if (challenge.scheme === 'basic') {
      if (!credentials || !('username' in credentials)) return undefined;
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    if (credentials && 'registryToken' in credentials) return `Bearer ${credentials.registryToken}`;
    const wanted = mergeScopes(scopes);
    const now = Date.now();
    state.tokens = state.tokens.filter((t) => t.expiresAt > now);
    const cached = state.tokens.find((t) => scopesCover(t.scopes, wanted));
    if (cached) return `Bearer ${cached.token}`;
    // Parallel blob transfers ask for the same scopes at once: share one token request.
    const key = wanted.join(' ');
    let pending = state.pending.get(key);
    if (!pending) {
      pending = this.fetchToken(endpoint, state, challenge, wanted, credentials, signal).finally(() => state.pending.delete(key));
      state.pending.set(key, pending);
    }
    const token = await pending;
    if (!state.tokens.includes(token)) state.tokens.push(token);
    return `Bearer ${token.token}`;
  }

  /**
   * The realm is the registry's token server (Docker sends credentials there even on another host),
   * but never over a weaker transport than the registry's own: an `https` registry announcing an
   * `http` realm would have credentials and tokens cross the network in clear. Plain HTTP realms are
   * allowed on loopback and on hosts configured as insecure, like registries.
   */
  private checkRealm(endpoint: Endpoint, realm: URL): void {
    if (realm.protocol === 'https:') return;
    const host = realm.host;
    const plainAllowed = realm.protocol === 'http:' && (endpoint.base.startsWith('http:') || isLoopback(host) || this.insecure.includes(host) || this.insecure.includes(hostOf(host)));
    if (plainAllowed) return;
    throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${endpoint.registry}: refusing the token realm ${realm.protocol}//${host}${realm.pathname}: an ${new URL(endpoint.base).protocol.slice(0, -1)} registry's credentials and tokens must not travel over ${realm.protocol.slice(0, -1)}`, {
      hint: realm.protocol === 'http:' ? `if ${host} is a trusted plain-HTTP token server, list it as insecure (RegistryClient option "insecure")` : 'the realm must be an http(s) URL',
    });
  }

  private stateOf(registry: string): RegistryAuthState {
    let state = this.state.get(registry);
    if (!state) {
      state = { tokens: [], pending: new Map() };
      this.state.set(registry, state);
    }
    return state;
  }

  private async credentialsOf(registry: string): Promise<Credentials | undefined> {
    const state = this.stateOf(registry);
    if (!state.credentialsLoaded) {
      state.credentials = this.provider ? await this.provider(registry) : undefined;
      state.credentialsLoaded = true;
    }
    return state.credentials;
  }

  private async fetchToken(
    endpoint: Endpoint,
    state: RegistryAuthState,
    challenge: Challenge,
    scopes: string[],
    credentials: Credentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm) {
      throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${endpoint.registry}: Bearer challenge without a realm`);
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `${endpoint.registry}: Bearer challenge with an invalid realm`);
    }
    this.checkRealm(endpoint, url);
    const service = challenge.params.service;
    const refreshToken = credentials && 'identityToken' in credentials ? credentials.identityToken : state.refreshToken;
    let response;
    if (refreshToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'oci-kit' });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      response = await this.transport.sendWithRetry(
        {
          method: 'POST',
          url,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(form.toString()),
          signal,
        },
        this.onRetry,
      );
    } else {
      if (service) url.searchParams.set('service', service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credentials && 'username' in credentials) {
        url.searchParams.set('offline_token', 'true');
        url.searchParams.set('client_id', 'oci-kit');
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
      response = await this.transport.sendWithRetry({ method: 'GET', url, headers, signal }, this.onRetry);
    }
    const body = await readBody(response.body, 1024 * 1024);
    if (response.status !== 200) {
      const err = errorFromResponse(`token request to ${safeUrl(url)} for ${endpoint.registry}`, response.status, body);
      if (response.status === 401 || response.status === 403) {
        throw new RegistryError(
          REGISTRY_ERROR_CODES.unauthorized,
          credentials
            ? `${endpoint.registry}: the token service refused the credentials (HTTP ${response.status})`
            : `${endpoint.registry}: anonymous access was refused (HTTP ${response.status})`,
          { status: response.status, errors: err.errors, hint: 'check the user name and password, or run "oci-kit login"' },
        );
      }
      throw err;
    }
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown; refresh_token?: unknown; issued_at?: unknown };
    try {
      parsed = JSON.parse(body.toString()) as typeof parsed;
    } catch {
      throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `token response from ${safeUrl(url)} is not JSON`);
    }
    const token = typeof parsed.token === 'string' ? parsed.token : typeof parsed.access_token === 'string' ? parsed.access_token : undefined;
    if (!token) throw new RegistryError(REGISTRY_ERROR_CODES.protocol, `token response from ${safeUrl(url)} has no token`);
    if (typeof parsed.refresh_token === 'string' && parsed.refresh_token) state.refreshToken = parsed.refresh_token;
    // The token spec's default lifetime is 60 s; renew a little early so a token never expires in flight.
    const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60;
    return { token, scopes, expiresAt: Date.now() + Math.max(1, lifetime - 5) * 1000 };
  }
}
