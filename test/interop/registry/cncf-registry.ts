// Starts the CNCF distribution registry (/usr/bin/docker-registry, Debian's docker-registry) on
// 127.0.0.1 with a free port and a temporary storage directory, for the interop tests and the bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningRegistry {
  host: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export type RegistryAuthConfig =
  | { htpasswd: string }
  | { token: { realm: string; service: string; issuer: string; rootcertbundle: string } };

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts the registry and waits until `/v2/` answers. Always call `stop()`. */
export async function startCncfRegistry(binary: string, auth?: RegistryAuthConfig): Promise<RunningRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'oci-kit-cncf-'));
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (auth && 'htpasswd' in auth) lines.push('auth:', '  htpasswd:', '    realm: oci-kit-interop', `    path: ${auth.htpasswd}`);
  if (auth && 'token' in auth) {
    const t = auth.token;
    lines.push('auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.rootcertbundle}`);
  }
  const config = join(dir, 'config.yml');
  await writeFile(config, `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn(binary, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`);
      await res.arrayBuffer();
      return { host: `127.0.0.1:${port}`, port, dir, stop };
    } catch {
      await sleep(100);
    }
  }
  await stop();
  throw new Error(`docker-registry did not start: ${stderr}`);
}
