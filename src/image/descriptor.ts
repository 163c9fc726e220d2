/**
 * Content descriptors (image-spec descriptor.md): validation of untrusted descriptors, building one
 * for bytes, and the empty descriptor (manifest.md "Guidance for an Empty Descriptor").
 *
 * @module
 */
import { digestOf } from '../digest/hasher.js';
import { parseDigest } from '../digest/digest.js';
import type { Digest } from '../digest/digest.js';
import {
  expectDigest,
  expectMediaType,
  expectObject,
  expectStringArray,
  expectStringMap,
  join,
  optionalString,
  optionalStringArray,
  describe,
  type Fail,
  type JsonObject,
} from './check.js';
import { InvalidManifestError } from './errors.js';
import { parseJsonBytes } from './json.js';
import { OCI } from './media-types.js';
import type { Descriptor, Platform } from './types.js';

/** The content of the empty JSON blob: `{}`. */
export const EMPTY_JSON: Buffer = Buffer.from('{}');

/**
 * The empty descriptor: `{}` as `application/vnd.oci.empty.v1+json`, for a manifest's config or layer
 * when an artifact has none. The blob must still be in the store / registry.
 */
export const EMPTY_DESCRIPTOR: Readonly<Descriptor> = Object.freeze({
  mediaType: OCI.empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
});

/** A descriptor for in-memory content. `extra` adds fields such as annotations or platform. */
export function descriptorFor(
  mediaType: string,
  content: Uint8Array | string,
  extra: Partial<Omit<Descriptor, 'mediaType' | 'digest' | 'size'>> = {},
): Descriptor {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { mediaType, digest: digestOf(bytes), size: bytes.byteLength, ...extra };
}

/** Parses and validates a descriptor document (`application/vnd.oci.descriptor.v1+json`). */
export function parseDescriptor(input: Uint8Array | string): Descriptor {
  return validateDescriptor(parseJsonBytes(input, descriptorFail('descriptor')));
}

/** Validates an already parsed descriptor; `path` names it in error messages. Throws `ERR_INVALID_MANIFEST`. */
export function validateDescriptor(value: unknown, path = '$'): Descriptor {
  return checkDescriptor(value, path, descriptorFail('descriptor'));
}

/** The error factory for descriptors inside a document of the given kind. @internal */
export function descriptorFail(document: 'manifest' | 'index' | 'descriptor'): Fail {
  return (field, problem, cause) => new InvalidManifestError(document, field, problem, cause === undefined ? {} : { cause });
}

/**
 * Checks that `value` is a descriptor: media type, supported digest, size a non-negative integer,
 * optional urls, annotations, artifactType, platform, and embedded `data` matching digest and size.
 * @internal
 */
export function checkDescriptor(value: unknown, path: string, fail: Fail): Descriptor {
  const obj = expectObject(value, path, fail);
  expectMediaType(obj.mediaType, join(path, 'mediaType'), fail);
  const digest = expectDigest(obj.digest, join(path, 'digest'), fail);
  const size = obj.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw fail(join(path, 'size'), `must be a non-negative integer, got ${describe(size)}`);
  }
  if (obj.urls !== undefined) {
    const urls = expectStringArray(obj.urls, join(path, 'urls'), fail);
    urls.forEach((url, i) => {
      if (!URL.canParse(url)) throw fail(`${join(path, 'urls')}[${i}]`, `is not a URL: ${JSON.stringify(url)}`);
    });
  }
  if (obj.annotations !== undefined) expectStringMap(obj.annotations, join(path, 'annotations'), fail);
  if (obj.artifactType !== undefined) expectMediaType(obj.artifactType, join(path, 'artifactType'), fail);
  if (obj.platform !== undefined) checkPlatform(obj.platform, join(path, 'platform'), fail);
  if (obj.data !== undefined) checkEmbeddedData(obj, digest, size, path, fail);
  return obj as unknown as Descriptor;
}

/** Checks a platform object (image-index.md `platform`). @internal */
export function checkPlatform(value: unknown, path: string, fail: Fail): Platform {
  const obj = expectObject(value, path, fail);
  for (const key of ['architecture', 'os'] as const) {
    if (typeof obj[key] !== 'string' || obj[key] === '') {
      throw fail(join(path, key), `must be a non-empty string, got ${describe(obj[key])}`);
    }
  }
  optionalString(obj, 'os.version', path, fail);
  optionalString(obj, 'variant', path, fail);
  optionalStringArray(obj, 'os.features', path, fail);
  optionalStringArray(obj, 'features', path, fail);
  return obj as unknown as Platform;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkEmbeddedData(obj: JsonObject, digest: Digest, size: number, path: string, fail: Fail): void {
  const field = join(path, 'data');
  if (typeof obj.data !== 'string' || !BASE64.test(obj.data)) throw fail(field, 'must be a base64 string');
  const bytes = Buffer.from(obj.data, 'base64');
  if (bytes.byteLength !== size) throw fail(field, `holds ${bytes.byteLength} bytes but size says ${size}`);
  const actual = digestOf(bytes, parseDigest(digest).algorithm);
  if (actual !== digest) throw fail(field, `hashes to ${actual}, not ${digest}`);
}
