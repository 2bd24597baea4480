import { describe, expect, it } from 'vitest';
import { formatStatus } from './format-status.ts';
import { localSettings } from './settings.ts';

describe('formatStatus', () => {
  it('shows each service with readiness, address and who runs it', () => {
    const text = formatStatus({
      runtime: 'local',
      settings: localSettings(),
      ready: false,
      services: [
        { name: 'kafka', address: '127.0.0.1:19092', ready: true, owner: 'stack', pid: 42 },
        {
          name: 's3',
          address: 'http://127.0.0.1:19000',
          ready: false,
          owner: 'none',
          logFile: '/x/s3proxy.log',
        },
        { name: 'redis', address: '127.0.0.1:6379', ready: true, owner: 'external' },
      ],
    });
    expect(text.split('\n')).toEqual([
      'runtime: local',
      'kafka  ready      127.0.0.1:19092         started by the stack (pid 42)',
      's3     not ready  http://127.0.0.1:19000  not running (log: /x/s3proxy.log)',
      'redis  ready      127.0.0.1:6379          not ours (reused, never stopped)',
    ]);
  });
});
