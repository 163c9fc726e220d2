import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges } from '../../../src/archive/changes.js';

test('each supported instruction changes its config field, as docker import --change does', () => {
  const config = applyChanges({ Env: ['PATH=/usr/bin'] }, [
    'CMD ["/app", "--serve"]',
    'ENTRYPOINT /entry.sh',
    'ENV HOME=/root APP="$PATH:/app"',
    'EXPOSE 80 53/udp 8000-8001',
    'LABEL org.example.version="1.0" team=infra',
    'USER 1000:1000',
    'WORKDIR /srv',
    'WORKDIR data',
    'VOLUME ["/var/lib/data"]',
    'STOPSIGNAL SIGTERM',
  ]);
  assert.deepEqual(config, {
    Env: ['PATH=/usr/bin', 'HOME=/root', 'APP=/usr/bin:/app'],
    Cmd: ['/app', '--serve'],
    Entrypoint: ['/bin/sh', '-c', '/entry.sh'],
    ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} },
    Labels: { 'org.example.version': '1.0', team: 'infra' },
    User: '1000:1000',
    WorkingDir: '/srv/data',
    Volumes: { '/var/lib/data': {} },
    StopSignal: 'SIGTERM',
  });
});

test('instructions that make layers or are malformed are refused with ERR_INVALID_CHANGE', () => {
  for (const change of ['RUN echo hi', 'COPY a b', 'EXPOSE eighty', 'CMD ["a"]\nENV A=1', '']) {
    assert.throws(() => applyChanges({}, [change]), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_CHANGE', change);
  }
});

test('the input config is not modified', () => {
  const input = { Env: ['A=1'] };
  applyChanges(input, ['ENV A=2']);
  assert.deepEqual(input, { Env: ['A=1'] });
});
