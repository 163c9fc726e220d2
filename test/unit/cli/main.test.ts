import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../helpers/cli.js';
import { defaultStorePath } from '../../../src/cli/store-path.js';

test('unknown command is a usage error with exit code 2', async () => {
  const r = await runCli(['no-such-command']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^oci-kit: error: unknown command "no-such-command"/);
});

test('--help lists the commands and exits 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: oci-kit/);
});

test('default store path follows OCI_KIT_STORE, then XDG_DATA_HOME, then HOME', () => {
  assert.equal(defaultStorePath({ OCI_KIT_STORE: '/s' }), '/s');
  assert.equal(defaultStorePath({ XDG_DATA_HOME: '/x' }), '/x/oci-kit/store');
  assert.equal(defaultStorePath({ HOME: '/h' }), '/h/.local/share/oci-kit/store');
  assert.equal(defaultStorePath({ OCI_KIT_STORE: '/s' }, '/explicit'), '/explicit');
});
