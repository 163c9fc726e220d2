/**
 * Shape checks shared by the document validators: each takes the value, its JSON path for messages,
 * and a function that builds the right typed error for the document being validated.
 *
 * @internal
 * @module
 */
import { parseDigest, type Digest } from '../digest/digest.js';

/** Builds the error to throw for a bad field. */
export type Fail = (field: string, problem: string, cause?: unknown) => Error;

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value === 'object' ? 'an object' : `the ${typeof value} ${String(value)}`}`;
}

export function expectObject(value: unknown, field: string, fail: Fail): JsonObject {
  if (!isObject(value)) throw fail(field, `must be an object, got ${describe(value)}`);
  return value;
}

export function expectString(value: unknown, field: string, fail: Fail): string {
  if (typeof value !== 'string') throw fail(field, `must be a string, got ${describe(value)}`);
  return value;
}

export function optionalString(obj: JsonObject, key: string, path: string, fail: Fail): void {
  if (obj[key] !== undefined) expectString(obj[key], join(path, key), fail);
}

export function optionalBoolean(obj: JsonObject, key: string, path: string, fail: Fail): void {
  const value = obj[key];
  if (value !== undefined && typeof value !== 'boolean') throw fail(join(path, key), `must be true or false, got ${describe(value)}`);
}

export function expectArray(value: unknown, field: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) throw fail(field, `must be an array, got ${describe(value)}`);
  return value;
}

export function expectStringArray(value: unknown, field: string, fail: Fail): string[] {
  const array = expectArray(value, field, fail);
  array.forEach((item, i) => expectString(item, `${field}[${i}]`, fail));
  return array as string[];
}

export function optionalStringArray(obj: JsonObject, key: string, path: string, fail: Fail): void {
  if (obj[key] !== undefined) expectStringArray(obj[key], join(path, key), fail);
}

export function expectStringMap(value: unknown, field: string, fail: Fail): Record<string, string> {
  const obj = expectObject(value, field, fail);
  for (const [key, item] of Object.entries(obj)) expectString(item, join(field, key), fail);
  return obj as Record<string, string>;
}

export function expectDigest(value: unknown, field: string, fail: Fail): Digest {
  const text = expectString(value, field, fail);
  try {
    parseDigest(text);
  } catch (err) {
    throw fail(field, (err as Error).message, err);
  }
  return text as Digest;
}

// RFC 6838 restricted-name grammar, as the image-spec JSON schema writes it (schema/defs-descriptor.json).
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function expectMediaType(value: unknown, field: string, fail: Fail): string {
  const text = expectString(value, field, fail);
  if (!MEDIA_TYPE.test(text)) throw fail(field, `is not a media type (type/subtype): ${JSON.stringify(text)}`);
  return text;
}

/** `path.key`, or `path["odd key"]` when the key is not a plain identifier. */
export function join(path: string, key: string): string {
  const prefix = path === '$' ? '' : path;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return prefix === '' ? key : `${prefix}.${key}`;
  return `${prefix}[${JSON.stringify(key)}]`;
}
