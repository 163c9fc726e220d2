/**
 * `RUN --mount=...` options (Dockerfile reference, "RUN --mount"): a CSV list of `key=value`
 * fields for the mount types bind, cache, tmpfs, secret and ssh. Values may hold build
 * variables; they are kept as written (the builder expands them) and only checked when literal.
 *
 * @module
 */

/** One parsed `--mount`. */
export interface RunMount {
  type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
  /** Where it appears in the container (defaults: `/run/secrets/<id>` for secrets, none for ssh). */
  target?: string;
  /** Path in the source (`from` stage/image or the context). */
  source?: string;
  /** Stage, image or named context to mount from. */
  from?: string;
  readOnly: boolean;
  /** Cache/secret/ssh id. */
  id?: string;
  /** Cache sharing mode. */
  sharing?: 'shared' | 'private' | 'locked';
  /** File mode (octal text as written, e.g. `0755`). */
  mode?: string;
  uid?: string;
  gid?: string;
  /** Secret/ssh: fail the build when it is not provided. */
  required?: boolean;
  /** tmpfs size as written (e.g. `64m`). */
  size?: string;
  /** Secret: expose it as this environment variable instead of (or besides) a file. */
  env?: string;
  /** The flag value as written. */
  raw: string;
}

/** Thrown by {@link parseMount}; the caller adds the location. */
export class MountSyntaxError extends Error {}

const TYPES = new Set(['bind', 'cache', 'tmpfs', 'secret', 'ssh']);
const BOOLEAN_KEYS = new Set(['readonly', 'ro', 'readwrite', 'rw', 'required']);

/** Splits a CSV record (RFC 4180 quoting, as Go's encoding/csv reads one line). */
export function splitCsv(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new MountSyntaxError(`unterminated quote in ${JSON.stringify(text)}`);
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',') throw new MountSyntaxError(`extraneous text after a quoted field in ${JSON.stringify(text)}`);
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      field = text.slice(i, end);
      i = end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

function parseBool(key: string, value: string | undefined): boolean {
  if (value === undefined || value === '') return true;
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      throw new MountSyntaxError(`invalid value for ${key}: ${value}`);
  }
}

const isLiteral = (value: string): boolean => !value.includes('$');

/** Parses one `--mount` value. Throws MountSyntaxError with a readable reason. */
export function parseMount(raw: string): RunMount {
  const fields = splitCsv(raw).filter((f) => f !== '');
  let type: RunMount['type'] = 'bind';
  for (const field of fields) {
    const [key, value] = cut(field);
    if (key.toLowerCase() === 'type') {
      if (value === undefined || !TYPES.has(value.toLowerCase())) {
        throw new MountSyntaxError(`unsupported mount type ${JSON.stringify(value ?? '')}`);
      }
      type = value.toLowerCase() as RunMount['type'];
    }
  }
  const mount: RunMount = { type, readOnly: type === 'bind', raw };
  let readOnlySet = false;
  for (const field of fields) {
    const [rawKey, value] = cut(field);
    const key = rawKey.toLowerCase();
    if (value === undefined && !BOOLEAN_KEYS.has(key)) {
      throw new MountSyntaxError(`invalid field '${field}' must be a key=value pair`);
    }
    const v = value ?? '';
    switch (key) {
      case 'type':
        break;
      case 'from':
        mount.from = v;
        break;
      case 'source':
      case 'src':
        mount.source = v;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        mount.target = v;
        break;
      case 'readonly':
      case 'ro':
        mount.readOnly = parseBool(key, value);
        readOnlySet = true;
        break;
      case 'readwrite':
      case 'rw':
        mount.readOnly = !parseBool(key, value);
        readOnlySet = true;
        break;
      case 'required':
        mount.required = parseBool(key, value);
        break;
      case 'id':
        mount.id = v;
        break;
      case 'sharing':
        if (isLiteral(v) && v !== 'shared' && v !== 'private' && v !== 'locked') {
          throw new MountSyntaxError(`unsupported sharing value "${v}" (use shared, private or locked)`);
        }
        mount.sharing = v as RunMount['sharing'] & string;
        break;
      case 'mode':
        if (isLiteral(v) && !/^[0-7]+$/.test(v)) throw new MountSyntaxError(`invalid mode "${v}": expected an octal number like 0755`);
        mount.mode = v;
        break;
      case 'uid':
      case 'gid':
        if (isLiteral(v) && !/^\d+$/.test(v)) throw new MountSyntaxError(`invalid ${key} "${v}": expected a number`);
        mount[key] = v;
        break;
      case 'size':
        if (type !== 'tmpfs') throw new MountSyntaxError('size is only supported for tmpfs mounts');
        mount.size = v;
        break;
      case 'env':
        if (type !== 'secret') throw new MountSyntaxError('env is only supported for secret mounts');
        mount.env = v;
        break;
      default:
        throw new MountSyntaxError(`unexpected key '${rawKey}' in '${field}'`);
    }
  }
  if (!readOnlySet && type === 'bind') mount.readOnly = true;
  if ((type === 'bind' || type === 'cache' || type === 'tmpfs') && !mount.target) {
    throw new MountSyntaxError(`a ${type} mount needs a target (target=/path)`);
  }
  if (type === 'secret' && !mount.target && mount.id === undefined && !mount.env) {
    throw new MountSyntaxError('a secret mount needs an id or a target');
  }
  if (type === 'secret' && !mount.target && mount.id !== undefined && !mount.env) mount.target = `/run/secrets/${mount.id}`;
  return mount;
}

function cut(field: string): [string, string | undefined] {
  const eq = field.indexOf('=');
  return eq < 0 ? [field, undefined] : [field.slice(0, eq), field.slice(eq + 1)];
}
