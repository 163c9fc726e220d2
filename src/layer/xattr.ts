/**
 * Extended attributes. Node has no xattr API and native addons need a compiler, so oci-kit reads and
 * writes them in one batched child process per operation (python3's `os.listxattr` /
 * `os.getxattr` / `os.setxattr`, which wrap the Linux syscalls without following symlinks). When no
 * python3 is on PATH, reading finds none and writing reports every attribute as not applied: the
 * caller records that instead of failing, since xattrs are applied "where allowed".
 *
 * @module
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { delimiter, join, sep } from 'node:path';

/** Python shared by the read scripts: every xattr of one path, base64-encoded, never following a symlink. */
const READ_ONE = `
import os, sys, base64, json
def xattrs_of(full):
    try: names = os.listxattr(full, follow_symlinks=False)
    except OSError: return {}
    d = {}
    for n in names:
        try: d[n] = base64.b64encode(os.getxattr(full, n, follow_symlinks=False)).decode()
        except OSError: pass
    return d
`;

const READ_SCRIPT = `${READ_ONE}
root = os.fsencode(sys.argv[1])
out = {}
for p in sys.stdin.buffer.read().split(b'\\0'):
    if not p: continue
    d = xattrs_of(os.path.join(root, p))
    if d: out[os.fsdecode(p)] = d
json.dump(out, sys.stdout)
`;
const WRITE_SCRIPT = `
import os, sys, base64, json
failed = []
for path, attrs in json.load(sys.stdin):
    for n, v in attrs.items():
        try: os.setxattr(path, n, base64.b64decode(v), follow_symlinks=False)
        except OSError as e: failed.append([path, n, e.strerror or str(e)])
json.dump(failed, sys.stdout)
`;

let pythonAvailable: boolean | undefined;
let pythonPath: string | undefined;

/**
 * The python3 to run: the first on PATH that is not a version-manager shim (a pyenv shim costs
 * about 2 s per start, the interpreter itself about 30 ms).
 */
function findPython(): string {
  if (pythonPath !== undefined) return pythonPath;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = dirs.map((d) => join(d, 'python3')).filter((p) => {
    try {
      accessSync(p, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  pythonPath = candidates.find((p) => !p.includes(`${sep}shims${sep}`)) ?? candidates[0] ?? 'python3';
  return pythonPath;
}

function runPython(script: string, args: string[], input: Buffer | string): string | undefined {
  if (pythonAvailable === false) return undefined;
  const result = spawnSync(findPython(), ['-I', '-S', '-c', script, ...args], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    pythonAvailable = false;
    return undefined;
  }
  pythonAvailable = true;
  return result.stdout;
}

/** True when this machine can read and write xattrs through the helper. */
export function xattrHelperAvailable(): boolean {
  if (pythonAvailable === undefined) runPython('pass', [], '');
  return pythonAvailable === true;
}

/** The xattrs of `paths` (relative to `root`), only for paths that have any. Empty without the helper. */
export function readXattrs(root: string, paths: readonly string[]): Map<string, Record<string, Uint8Array>> {
  const found = new Map<string, Record<string, Uint8Array>>();
  if (paths.length === 0) return found;
  const text = runPython(READ_SCRIPT, [root], Buffer.from(paths.join('\0'), 'utf8'));
  if (text === undefined) return found;
  const parsed = JSON.parse(text) as Record<string, Record<string, string>>;
  for (const [path, attrs] of Object.entries(parsed)) {
    const decoded: Record<string, Uint8Array> = {};
    for (const [name, value] of Object.entries(attrs)) decoded[name] = Buffer.from(value, 'base64');
    found.set(path, decoded);
  }
  return found;
}

/** One xattr that could not be applied. */
export interface XattrFailure {
  path: string;
  name: string;
  reason: string;
}

/** Sets xattrs on absolute paths (not following symlinks); returns what could not be set. */
export function writeXattrs(items: ReadonlyArray<{ path: string; xattrs: Record<string, Uint8Array> }>): XattrFailure[] {
  if (items.length === 0) return [];
  const payload = JSON.stringify(
    items.map((i) => [i.path, Object.fromEntries(Object.entries(i.xattrs).map(([k, v]) => [k, Buffer.from(v).toString('base64')]))]),
  );
  const text = runPython(WRITE_SCRIPT, [], payload);
  if (text === undefined) {
    return items.flatMap((i) => Object.keys(i.xattrs).map((name) => ({ path: i.path, name, reason: 'no xattr helper (python3) on PATH' })));
  }
  return (JSON.parse(text) as [string, string, string][]).map(([path, name, reason]) => ({ path, name, reason }));
}

const TREE_SCRIPT = `
import os, sys, base64, json
root = os.fsencode(sys.argv[1])
out = {}
def visit(full, rel):
    try: names = os.listxattr(full, follow_symlinks=False)
    except OSError: names = []
    d = {}
    for n in names:
        try: d[n] = base64.b64encode(os.getxattr(full, n, follow_symlinks=False)).decode()
        except OSError: pass
    if d and rel: out[os.fsdecode(rel)] = d
for dirpath, dirnames, filenames in os.walk(root):
    rel_dir = os.path.relpath(dirpath, root)
    for name in dirnames + filenames:
        rel = name if rel_dir == b'.' else os.path.join(rel_dir, name)
        visit(os.path.join(dirpath, name), rel)
json.dump(out, sys.stdout)
`;

/** The xattrs of every path below `root` (one helper process), only for paths that have any. */
export function readTreeXattrs(root: string): Map<string, Record<string, Uint8Array>> {
  return decodeTree(runPython(TREE_SCRIPT, [root], ''));
}

function decodeTree(text: string | undefined): Map<string, Record<string, Uint8Array>> {
  const found = new Map<string, Record<string, Uint8Array>>();
  if (text === undefined) return found;
  for (const [path, attrs] of Object.entries(JSON.parse(text) as Record<string, Record<string, string>>)) {
    const decoded: Record<string, Uint8Array> = {};
    for (const [name, value] of Object.entries(attrs)) decoded[name] = Buffer.from(value, 'base64');
    found.set(path, decoded);
  }
  return found;
}

const STREAM_SCRIPT = `${READ_ONE}
root = os.fsencode(sys.argv[1])
for line in sys.stdin.buffer:
    out = {}
    for p in json.loads(line):
        d = xattrs_of(os.path.join(root, os.fsencode(p)))
        if d: out[p] = d
    sys.stdout.write(json.dumps(out) + "\\n")
    sys.stdout.flush()
`;
/**
 * A helper process that answers batches of xattr look-ups in order while the caller keeps working:
 * the layer writer sends the next batch of paths before it writes the current one, so the lookups
 * run on the other core instead of before the walk.
 */
export class XattrLookup {
  private readonly waiting: ((found: Map<string, Record<string, Uint8Array>>) => void)[] = [];
  private buffered = '';
  private dead = false;

  private constructor(private readonly child: ReturnType<typeof spawn>) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      this.buffered += text;
      for (let nl = this.buffered.indexOf('\n'); nl >= 0; nl = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.shift()?.(decodeTree(line));
      }
    });
    const fail = (): void => {
      this.dead = true;
      for (const resolve of this.waiting.splice(0)) resolve(new Map());
    };
    child.on('error', fail);
    child.on('close', fail);
    child.stdin?.on('error', fail);
  }

  /** Starts the helper for paths relative to `root`, or undefined when there is no python3. */
  static start(root: string): XattrLookup | undefined {
    if (pythonAvailable === false) return undefined;
    // A missing or failing interpreter ends the helper: every lookup then answers "no xattrs".
    return new XattrLookup(spawn(findPython(), ['-I', '-S', '-c', STREAM_SCRIPT, root], { stdio: ['pipe', 'pipe', 'ignore'] }));
  }

  /** The xattrs of `paths` (only those that have any), answered after every earlier batch. */
  lookup(paths: readonly string[]): Promise<Map<string, Record<string, Uint8Array>>> {
    if (this.dead || paths.length === 0) return Promise.resolve(new Map());
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.child.stdin?.write(`${JSON.stringify(paths)}\n`);
    });
  }

  close(): void {
    this.child.stdin?.end();
  }
}
