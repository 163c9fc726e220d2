/**
 * Image references exactly as Docker reads them: distribution/reference's `ParseNormalizedNamed`
 * followed by `TagNameOnly` (normalize.go), validated against the grammar of reference.go.
 *
 * - A first path component is a registry when it contains `.` or `:`, is `localhost`, or has upper-case
 *   letters; otherwise the registry is `docker.io`.
 * - `index.docker.io` (Docker Hub's legacy name) becomes `docker.io`; single-component names on Docker
 *   Hub get the `library/` prefix.
 * - A reference with neither tag nor digest gets the tag `latest` (unless `defaultTag: false`).
 * - Tag and digest together are both kept (Docker's `ParseDockerRef` would drop the tag; pulling by
 *   such a reference uses the digest, and the tag stays useful for naming).
 *
 * One deliberate difference: when the first component looks like a registry (has a `.` or `:`) but is
 * not a valid host, Go's parser quietly turns the whole name into a path without any domain; oci-kit
 * refuses it instead, since every reference here must name a registry.
 *
 * @module
 */
import { parseDigest } from '../digest/digest.js';
import type { Digest } from '../digest/digest.js';
import { InvalidReferenceError } from './errors.js';
import {
  REPOSITORY_PATH_MAX_LENGTH,
  hasDigestShape,
  isImageIdentifier,
  isValidDomain,
  isValidRepositoryPath,
  isValidTag,
} from './grammar.js';

/** A parsed, normalized image reference. */
export interface Reference {
  /** Registry host with optional port: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path inside the registry: `library/ubuntu`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

/** Options for {@link parseReference}. */
export interface ParseReferenceOptions {
  /** Add the tag `latest` when the reference has neither tag nor digest (Docker's `TagNameOnly`). Default true. */
  defaultTag?: boolean;
}

/** Docker Hub's name in normalized references. */
export const DEFAULT_REGISTRY = 'docker.io';
/** Docker Hub's legacy name, normalized to {@link DEFAULT_REGISTRY}. */
export const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
/** The host that actually serves Docker Hub's registry API. */
export const DOCKER_HUB_HOST = 'registry-1.docker.io';
/** Namespace of Docker Hub's official images. */
export const OFFICIAL_REPOSITORY_PREFIX = 'library/';
/** The tag a bare name gets. */
export const DEFAULT_TAG = 'latest';

const FORMAT = 'invalid reference format';

/**
 * Parses and normalizes an image reference the way the Docker CLI does. Throws an
 * `ERR_INVALID_REFERENCE` {@link InvalidReferenceError} with Docker's wording otherwise.
 *
 * @example parseReference('ubuntu') // { registry: 'docker.io', repository: 'library/ubuntu', tag: 'latest' }
 */
export function parseReference(input: string, options: ParseReferenceOptions = {}): Reference {
  if (isImageIdentifier(input)) {
    throw new InvalidReferenceError(
      input,
      `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`,
      { hint: 'a reference names a repository (name[:tag][@digest]); a digest is written with its algorithm, sha256:<hex>' },
    );
  }
  const { domain, remainder } = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(input, `${FORMAT}: repository name (${remote}) must be lowercase`, {
      hint: 'repository names use only lower-case letters, digits and the separators . _ __ -',
    });
  }
  const ref = parseCanonical(input, `${domain}/${remainder}`);
  if ((options.defaultTag ?? true) && ref.tag === undefined && ref.digest === undefined) {
    ref.tag = DEFAULT_TAG;
  }
  return ref;
}

/** True when `input` parses as a reference. */
export function isValidReference(input: string): boolean {
  try {
    parseReference(input);
    return true;
  } catch {
    return false;
  }
}

/** The full normalized form: `docker.io/library/ubuntu:latest`, with `@digest` when present. */
export function formatReference(ref: Reference): string {
  return withSuffixes(repositoryOf(ref), ref);
}

/** The repository without tag or digest: `docker.io/library/ubuntu`. */
export function repositoryOf(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The short form Docker prints: `ubuntu:latest`, `user/app:1`, `localhost:5000/app:1`. */
export function familiarReference(ref: Reference): string {
  return withSuffixes(familiarName(ref), ref);
}

/** The familiar repository name without tag or digest: `ubuntu`, `user/app`, `quay.io/org/app`. */
export function familiarName(ref: Reference): string {
  if (ref.registry !== DEFAULT_REGISTRY) return repositoryOf(ref);
  if (ref.repository.startsWith(OFFICIAL_REPOSITORY_PREFIX)) {
    const rest = ref.repository.slice(OFFICIAL_REPOSITORY_PREFIX.length);
    // Only a single-component name under library/ is shortened, as Docker does.
    if (!rest.includes('/')) return rest;
  }
  return ref.repository;
}

/** A copy of `ref` with another tag (validated), keeping any digest. */
export function withTag(ref: Reference, tag: string): Reference {
  if (!isValidTag(tag)) {
    throw new InvalidReferenceError(`${repositoryOf(ref)}:${tag}`, 'invalid tag format', { hint: TAG_HINT });
  }
  return { ...ref, tag };
}

/** The host to contact for a registry name: Docker Hub's `docker.io` is served by `registry-1.docker.io`. */
export function registryHost(registry: string): string {
  return registry === DEFAULT_REGISTRY ? DOCKER_HUB_HOST : registry;
}

const TAG_HINT = 'a tag is 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"';

function withSuffixes(name: string, ref: Reference): string {
  let text = name;
  if (ref.tag !== undefined) text += `:${ref.tag}`;
  if (ref.digest !== undefined) text += `@${ref.digest}`;
  return text;
}

/** Docker's splitDockerDomain (normalize.go): which part of a familiar name is the registry. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) {
    // A single component is always a Docker Hub name, even "localhost" or "host:5000" (then a tag).
    return { domain: DEFAULT_REGISTRY, remainder: OFFICIAL_REPOSITORY_PREFIX + name };
  }
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    domain = first === LEGACY_DEFAULT_REGISTRY ? DEFAULT_REGISTRY : first;
    remainder = rest;
  } else {
    domain = DEFAULT_REGISTRY;
    remainder = name;
  }
  if (domain === DEFAULT_REGISTRY && !remainder.includes('/')) {
    remainder = OFFICIAL_REPOSITORY_PREFIX + remainder;
  }
  return { domain, remainder };
}

/**
 * distribution/reference's `Parse` for a string that starts with its domain: `domain/path[:tag][@digest]`.
 * `input` is what the user typed, for messages.
 */
function parseCanonical(input: string, text: string): Reference {
  const parts = splitParts(text);
  // (Go's Parse also reports "repository name must be lowercase" when lower-casing would help; after the
  // remote-name check above, upper case can only remain in the domain, tag or digest, which allow it.)
  if (parts === undefined) throw new InvalidReferenceError(input, FORMAT, { hint: formatHint(text) });
  if (parts.repository.length > REPOSITORY_PATH_MAX_LENGTH) {
    throw new InvalidReferenceError(
      input,
      `repository name must not be more than ${REPOSITORY_PATH_MAX_LENGTH} characters`,
    );
  }
  const ref: Reference = { registry: parts.registry, repository: parts.repository };
  if (parts.tag !== undefined) ref.tag = parts.tag;
  if (parts.digest !== undefined) {
    try {
      parseDigest(parts.digest);
    } catch (err) {
      throw new InvalidReferenceError(input, 'invalid digest format', {
        cause: err,
        hint: err instanceof Error ? err.message : undefined,
      });
    }
    ref.digest = parts.digest as Digest;
  }
  return ref;
}

interface Parts {
  registry: string;
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits `domain/path[:tag][@digest]` and checks each part's grammar; undefined when any is invalid. */
function splitParts(text: string): Parts | undefined {
  const at = text.indexOf('@');
  const named = at < 0 ? text : text.slice(0, at);
  const digest = at < 0 ? undefined : text.slice(at + 1);
  // A tag cannot contain "/", and a name has ":" only in its domain, so a colon after the last slash
  // starts the tag.
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const name = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : undefined;
  const slash = name.indexOf('/');
  if (slash < 0) return undefined;
  const registry = name.slice(0, slash);
  const repository = name.slice(slash + 1);
  if (!isValidDomain(registry) || !isValidRepositoryPath(repository)) return undefined;
  if (tag !== undefined && !isValidTag(tag)) return undefined;
  if (digest !== undefined && !hasDigestShape(digest)) return undefined;
  return { registry, repository, tag, digest };
}

/** Our explanation of which part broke the grammar, for the error's hint. */
function formatHint(text: string): string {
  if (text.endsWith('/')) return 'the repository name ends with "/"';
  const at = text.indexOf('@');
  if (at >= 0 && !hasDigestShape(text.slice(at + 1))) return 'after "@" comes a digest such as sha256:<64 hex>';
  const named = at < 0 ? text : text.slice(0, at);
  const colon = named.lastIndexOf(':');
  if (colon > named.lastIndexOf('/') && !isValidTag(named.slice(colon + 1))) return TAG_HINT;
  const slash = named.indexOf('/');
  const registry = named.slice(0, slash);
  if (!isValidDomain(registry)) return `"${registry}" is not a valid registry host[:port]`;
  return 'repository path components are lower-case letters and digits joined by ".", "_", "__" or "-", separated by "/"';
}
