/**
 * Typed registry errors. The distribution-spec ("Error Codes" section of spec.md) answers failures
 * with a JSON body `{"errors":[{"code","message","detail"}]}`; {@link RegistryError} keeps that
 * spec code (`MANIFEST_UNKNOWN`, `UNAUTHORIZED`, ...) as `registryCode` next to the HTTP status,
 * while `code` is oci-kit's own stable code (`ERR_REGISTRY_NOT_FOUND`, ...). Messages name the
 * operation and the URL without credentials; no credential or token ever appears in them.
 *
 * @module
 */
import { OciKitError, type OciKitErrorOptions } from '../errors.js';

/** One entry of a spec error body. */
export interface SpecErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** oci-kit codes of registry errors. */
export const REGISTRY_ERROR_CODES = {
  unauthorized: 'ERR_REGISTRY_UNAUTHORIZED',
  denied: 'ERR_REGISTRY_DENIED',
  notFound: 'ERR_REGISTRY_NOT_FOUND',
  invalid: 'ERR_REGISTRY_INVALID',
  tooManyRequests: 'ERR_REGISTRY_TOO_MANY_REQUESTS',
  unavailable: 'ERR_REGISTRY_UNAVAILABLE',
  unsupported: 'ERR_REGISTRY_UNSUPPORTED',
  protocol: 'ERR_REGISTRY_PROTOCOL',
  network: 'ERR_REGISTRY_NETWORK',
  timeout: 'ERR_REGISTRY_TIMEOUT',
} as const;

/** Extra facts a {@link RegistryError} carries. */
export interface RegistryErrorOptions extends OciKitErrorOptions {
  status?: number | undefined;
  registryCode?: string | undefined;
  errors?: SpecErrorEntry[] | undefined;
}

/** A failure talking to a registry. */
export class RegistryError extends OciKitError {
  /** HTTP status, when the registry answered. */
  readonly status: number | undefined;
  /** The first spec error code of the body (`MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`, `DENIED`, ...). */
  readonly registryCode: string | undefined;
  /** Every entry of the spec error body. */
  readonly errors: SpecErrorEntry[];

  constructor(code: string, message: string, options: RegistryErrorOptions = {}) {
    super(code, message, options);
    this.status = options.status;
    this.registryCode = options.registryCode ?? options.errors?.[0]?.code;
    this.errors = options.errors ?? [];
  }
}

/** Parses a spec error body; returns an empty list when the body is not one. */
export function parseSpecErrors(body: Buffer | string | undefined): SpecErrorEntry[] {
  if (body === undefined || body.length === 0) return [];
  try {
    const parsed = JSON.parse(body.toString()) as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string')
      .map((e) => ({
        code: e.code as string,
        ...(typeof e.message === 'string' ? { message: e.message } : {}),
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
      }));
  } catch {
    return [];
  }
}

function codeForStatus(status: number, registryCode: string | undefined): string {
  if (status === 401 || registryCode === 'UNAUTHORIZED') return REGISTRY_ERROR_CODES.unauthorized;
  if (status === 403 || registryCode === 'DENIED') return REGISTRY_ERROR_CODES.denied;
  if (status === 404 || registryCode?.endsWith('_UNKNOWN')) return REGISTRY_ERROR_CODES.notFound;
  if (status === 429 || registryCode === 'TOOMANYREQUESTS') return REGISTRY_ERROR_CODES.tooManyRequests;
  if (status === 405 || registryCode === 'UNSUPPORTED') return REGISTRY_ERROR_CODES.unsupported;
  if (status >= 500) return REGISTRY_ERROR_CODES.unavailable;
  if (status >= 400) return REGISTRY_ERROR_CODES.invalid;
  return REGISTRY_ERROR_CODES.protocol;
}

function hintFor(code: string): string | undefined {
  switch (code) {
    case REGISTRY_ERROR_CODES.unauthorized:
      return 'check the credentials: run "oci-kit login HOST" or set them in the Docker config';
    case REGISTRY_ERROR_CODES.denied:
      return 'the credentials are valid but lack access to this repository';
    case REGISTRY_ERROR_CODES.tooManyRequests:
      return 'the registry rate-limits requests; wait and try again, or log in for a higher limit';
    case REGISTRY_ERROR_CODES.unavailable:
      return 'the registry failed; try again later';
    default:
      return undefined;
  }
}

/**
 * Builds the error for an unexpected response. `what` says what was attempted, e.g.
 * `GET manifest localhost:5000/app:1`.
 */
export function errorFromResponse(what: string, status: number, body: Buffer | undefined): RegistryError {
  const errors = parseSpecErrors(body);
  const first = errors[0];
  const code = codeForStatus(status, first?.code);
  const detail = first ? `${first.code}${first.message ? `: ${first.message}` : ''}` : `HTTP ${status}`;
  const hint = hintFor(code);
  return new RegistryError(code, `${what} failed: ${detail} (HTTP ${status})`, {
    status,
    errors,
    ...(hint ? { hint } : {}),
  });
}
