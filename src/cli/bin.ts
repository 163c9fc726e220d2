#!/usr/bin/env node
/**
 * The `oci-kit` executable: runs the CLI with the process's streams and exits with its code.
 *
 * @module
 */
import { main } from './main.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
