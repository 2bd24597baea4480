import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { canBind, classifyPort, isListening } from './ports.ts';

describe('classifyPort', () => {
  it('tells free, ours, a compatible server and a stranger apart', () => {
    expect(classifyPort({ inUse: false, ourProcessRunning: false, speaksProtocol: false })).toBe('free');
    expect(classifyPort({ inUse: true, ourProcessRunning: true, speaksProtocol: true })).toBe('ours');
    expect(classifyPort({ inUse: true, ourProcessRunning: false, speaksProtocol: true })).toBe('compatible');
    expect(classifyPort({ inUse: true, ourProcessRunning: false, speaksProtocol: false })).toBe('foreign');
  });
});

describe('port checks', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('sees a listening port as taken and a closed one as free', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server?.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    expect(await isListening('127.0.0.1', address.port)).toBe(true);
    expect(await canBind('127.0.0.1', address.port)).toBe(false);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    expect(await isListening('127.0.0.1', address.port)).toBe(false);
    expect(await canBind('127.0.0.1', address.port)).toBe(true);
  });
});
