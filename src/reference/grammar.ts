/**
 * The pieces of the distribution/reference grammar (reference.go, regexp.go), as validators that run
 * in linear time on untrusted input: the whole-reference regular expression of the Go package is
 * split into domain, path, tag and digest checks that are applied to already separated parts.
 *
 * ```text
 * name             := [domain '/'] remote-name
 * domain           := host [':' port-number]
 * host             := domain-name | IPv4address | '[' IPv6address ']'
 * domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 * path-component   := alpha-numeric [separator alpha-numeric]*
 * alpha-numeric    := /[a-z0-9]+/
 * separator        := /[_.]|__|[-]+/
 * tag              := /[\w][\w.-]{0,127}/
 * digest           := /[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}/
 * ```
 *
 * @module
 */

/** Longest repository path (without the domain) distribution accepts (`RepositoryNameTotalLengthMax`). */
export const REPOSITORY_PATH_MAX_LENGTH = 255;

/** Longest tag (the tag grammar allows 1 + 127 characters). */
export const TAG_MAX_LENGTH = 128;

const DOMAIN_COMPONENT = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
// Each alphanumeric run is delimited by a separator, so this cannot backtrack more than linearly.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST_SHAPE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IDENTIFIER = /^[a-f0-9]{64}$/;

/** True for a registry host with optional port: a DNS-like name, an IPv4 address or `[IPv6]`. */
export function isValidDomain(domain: string): boolean {
  let host: string;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close < 0) return false;
    host = domain.slice(0, close + 1);
    const rest = domain.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return false;
      port = rest.slice(1);
    }
    if (!IPV6_HOST.test(host)) return false;
  } else {
    const colon = domain.indexOf(':');
    host = colon < 0 ? domain : domain.slice(0, colon);
    if (colon >= 0) port = domain.slice(colon + 1);
    if (!host.split('.').every((component) => DOMAIN_COMPONENT.test(component))) return false;
  }
  return port === undefined || PORT.test(port);
}

/** True for a repository path (`remote-name`): lower-case components joined by `/`. */
export function isValidRepositoryPath(path: string): boolean {
  return path.split('/').every((component) => PATH_COMPONENT.test(component));
}

/** True for a tag: a word character, then up to 127 word characters, dots and dashes. */
export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

/** True when the text has the shape the reference grammar allows after `@` (before any algorithm check). */
export function hasDigestShape(text: string): boolean {
  return DIGEST_SHAPE.test(text);
}

/** True for a bare 64-hex image ID, which Docker refuses as a repository name. */
export function isImageIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}
