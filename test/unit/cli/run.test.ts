import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentOptions, networkOption, runCommand } from '../../../src/cli/commands/run.js';
import { commands } from '../../../src/cli/commands/index.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';
import { isOciKitError } from '../../../src/errors.js';

test('run is registered and stops option parsing at the image', () => {
  assert.ok(commands.includes(runCommand));
  assert.equal(runCommand.optionsAnywhere, false);
});

test('-e takes K=V as is, a bare K from the environment, and drops an unset K', () => {
  assert.deepEqual(environmentOptions(['A=1', 'B=x=y', 'HOME', 'UNSET_VAR'], { HOME: '/h' }), ['A=1', 'B=x=y', 'HOME=/h']);
  assert.throws(() => environmentOptions(['=v'], {}), (err) => isOciKitError(err, 'ERR_USAGE'));
});

test('--network accepts host, default and none only', () => {
  assert.equal(networkOption(undefined), 'host');
  assert.equal(networkOption('default'), 'host');
  assert.equal(networkOption('none'), 'none');
  assert.throws(() => networkOption('bridge'), /host" or "none/);
});

test('usage errors exit 2 with the usage line', async (t) => {
  const store = await tempDir(t);
  const noImage = await runCli(['--store', store, 'run']);
  assert.equal(noImage.code, 2);
  assert.match(noImage.stderr, /an IMAGE is required/);
  assert.match(noImage.stderr, /Usage: oci-kit run/);
  const tty = await runCli(['--store', store, 'run', '-it', 'busybox:local']);
  assert.equal(tty.code, 2);
  assert.match(tty.stderr, /not a TTY/);
  const network = await runCli(['--store', store, 'run', '--network', 'bridge', 'busybox:local', 'true']);
  assert.equal(network.code, 2);
});

test('flags after the image belong to the command, so an unknown image is reported, not the flags', async (t) => {
  const store = await tempDir(t);
  const result = await runCli(['--store', store, 'run', '-e', 'A=1', 'nosuch:1', 'ls', '-l', '--weird-flag']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /oci-kit: error: .*nosuch/);
});
