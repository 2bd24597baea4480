import { describe, expect, it } from 'vitest';
import { stopWhatWeStarted } from './global-setup.ts';

describe('the test run stack', () => {
  it('stops nothing when the stack came from the environment or was already running', async () => {
    expect(await stopWhatWeStarted(undefined)).toEqual([]);
    expect(
      await stopWhatWeStarted({
        runtime: 'local',
        settings: {} as never,
        services: { kafka: 'reused', s3: 'reused', redis: 'external' },
      }),
    ).toEqual([]);
  });
});
