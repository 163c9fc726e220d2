// Runs the CLI in-process with captured output (fast), or as a child process when a test needs the real binary.
import { PassThrough } from 'node:stream';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it; `text()` returns it as UTF-8. */
export function capture(): PassThrough & { text(): string } {
  const stream = new PassThrough() as PassThrough & { text(): string };
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.text = () => Buffer.concat(chunks).toString('utf8');
  return stream;
}

/** Runs `oci-kit ...argv` in this process. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}, stdinData?: string | Buffer): Promise<CliResult> {
  const stdout = capture();
  const stderr = capture();
  const stdin = new PassThrough();
  stdin.end(stdinData ?? '');
  const code = await main(argv, { stdout, stderr, stdin, env: { HOME: process.env.HOME, PATH: process.env.PATH, ...env } });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

/** Runs `oci-kit ...argv` as a child process (through tsx, so no build is needed). */
export function spawnCli(argv: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...argv], {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(options.input ?? '');
  });
}
