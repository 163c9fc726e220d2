import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendEmptyLayerHistory,
  appendLayer,
  createConfig,
  defaultCreated,
  parseImageConfig,
  validateImageConfig,
} from '../../../src/image/config.js';
import { canonicalJson } from '../../../src/image/json.js';
import { hostPlatform } from '../../../src/image/platform.js';
import { D1, D2, D3, configJson, json } from './fixtures.js';

test('parseImageConfig accepts every field Docker writes', () => {
  const full = configJson({
    author: 'me',
    variant: 'v8',
    'os.version': '10.0',
    'os.features': ['win32k'],
    config: {
      User: '1000:1000',
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8080': {} },
      Env: ['A=1'],
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: null,
      Volumes: { '/data': {} },
      WorkingDir: '/app',
      Labels: { 'org.example': 'x' },
      StopSignal: 'SIGTERM',
      ArgsEscaped: true,
      Healthcheck: { Test: ['CMD', 'true'], Interval: 30e9, Timeout: 5e9, StartPeriod: 0, StartInterval: 1e9, Retries: 3 },
      OnBuild: null,
      Shell: ['/bin/bash', '-c'],
    },
    history: [{ created: '2024-01-01T00:00:00+02:00', author: 'a', created_by: 'RUN x', comment: 'c', empty_layer: true }],
    container_config: { Hostname: 'abc' },
    docker_version: '24.0.0',
  });
  assert.deepEqual(parseImageConfig(json(full)), full);
});

test('nulls written by old Docker versions are dropped, meaningful nulls kept', () => {
  const parsed = parseImageConfig(
    json(configJson({ config: { Labels: null, Env: null, Cmd: null, Volumes: null }, history: null, rootfs: { type: 'layers', diff_ids: null } })),
  );
  assert.deepEqual(parsed.config, { Cmd: null });
  assert.equal('history' in parsed, false);
  assert.deepEqual(parsed.rootfs.diff_ids, []);
});

test('invalid configs name the field with ERR_INVALID_CONFIG', () => {
  const cases: Array<[unknown, RegExp]> = [
    [[], /invalid image config: must be an object/],
    [configJson({ architecture: undefined }), /config: architecture must be a non-empty string/],
    [configJson({ os: '' }), /os must be a non-empty string/],
    [configJson({ created: 'yesterday' }), /created must be an RFC 3339 date-time/],
    [configJson({ rootfs: undefined }), /rootfs must be an object/],
    [configJson({ rootfs: { type: 'other', diff_ids: [] } }), /rootfs.type must be "layers"/],
    [configJson({ rootfs: { type: 'layers', diff_ids: ['x'] } }), /rootfs.diff_ids\[0\] invalid digest/],
    [configJson({ config: { Env: 'A=1' } }), /config.Env must be an array/],
    [configJson({ config: { Cmd: [1] } }), /config.Cmd\[0\] must be a string/],
    [configJson({ config: { ExposedPorts: { '80/tcp': 1 } } }), /config.ExposedPorts\["80\/tcp"\] must be an object/],
    [configJson({ config: { ExposedPorts: { http: {} } } }), /config.ExposedPorts.http must be "port\/protocol"/],
    [configJson({ config: { Labels: { a: 1 } } }), /config.Labels.a must be a string/],
    [configJson({ config: { ArgsEscaped: 'yes' } }), /config.ArgsEscaped must be true or false/],
    [configJson({ config: { Healthcheck: { Retries: -1 } } }), /config.Healthcheck.Retries must be a non-negative integer/],
    [configJson({ config: { User: 0 } }), /config.User must be a string/],
    [configJson({ history: [{ empty_layer: 'no' }] }), /history\[0\].empty_layer must be true or false/],
    [configJson({ history: [{ created: '2024' }] }), /history\[0\].created must be an RFC 3339/],
    [configJson({ history: {} }), /history must be an array/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseImageConfig(json(value)), { code: 'ERR_INVALID_CONFIG', message }, JSON.stringify(value));
  }
  assert.throws(() => parseImageConfig('nope'), { code: 'ERR_INVALID_CONFIG', message: /not valid JSON/ });
});

test('validateImageConfig does not modify its input', () => {
  const input = configJson({ config: { Labels: null } });
  const before = JSON.stringify(input);
  validateImageConfig(input);
  assert.equal(JSON.stringify(input), before);
});

test('createConfig fills defaults in the image-spec field order', () => {
  const config = createConfig({ env: { SOURCE_DATE_EPOCH: '1700000000' } });
  const host = hostPlatform();
  assert.equal(config.created, '2023-11-14T22:13:20Z');
  assert.equal(config.architecture, host.architecture);
  assert.equal(config.os, host.os);
  assert.deepEqual(config.config, {});
  assert.deepEqual(config.rootfs, { type: 'layers', diff_ids: [] });
  assert.deepEqual(config.history, []);
  const keys = Object.keys(createConfig({ platform: 'linux/arm/v6', author: 'me', created: new Date(0), config: { Cmd: ['sh'] }, diffIds: [D1] }));
  assert.deepEqual(keys, ['created', 'author', 'architecture', 'os', 'variant', 'config', 'rootfs', 'history']);
});

test('createConfig options: platform, created null, diff IDs, validation', () => {
  const config = createConfig({ platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' }, created: null, diffIds: [D1, D2] });
  assert.equal('created' in config, false);
  assert.equal(config['os.version'], '10.0.17763.1');
  assert.deepEqual(config.rootfs.diff_ids, [D1, D2]);
  assert.equal(createConfig({ created: '2020-01-01T00:00:00Z' }).created, '2020-01-01T00:00:00Z');
  assert.throws(() => createConfig({ created: 'soon' }), { code: 'ERR_INVALID_CONFIG' });
  // The result serializes to a config the parser accepts unchanged.
  const made = createConfig({ platform: 'linux/amd64', created: new Date(0), config: { Env: ['A=1'] } });
  assert.deepEqual(parseImageConfig(canonicalJson(made)), made);
});

test('defaultCreated uses SOURCE_DATE_EPOCH, else the current time', () => {
  assert.equal(defaultCreated({ SOURCE_DATE_EPOCH: '0' }), '1970-01-01T00:00:00Z');
  assert.throws(() => defaultCreated({ SOURCE_DATE_EPOCH: '12abc' }), { code: 'ERR_INVALID_CONFIG', message: /SOURCE_DATE_EPOCH/ });
  const before = Date.now();
  const now = Date.parse(defaultCreated({}));
  assert.ok(now >= before - 1000 && now <= Date.now() + 1000);
});

test('appendLayer and appendEmptyLayerHistory return new configs', () => {
  const base = createConfig({ platform: 'linux/amd64', created: null });
  const one = appendLayer(base, { diffId: D3, history: { created_by: 'COPY . /' } });
  const two = appendEmptyLayerHistory(one, { created_by: 'ENV A=1' });
  assert.deepEqual(base.rootfs.diff_ids, []);
  assert.deepEqual(two.rootfs.diff_ids, [D3]);
  assert.deepEqual(two.history, [{ created_by: 'COPY . /' }, { created_by: 'ENV A=1', empty_layer: true }]);
});
